"""The bulk push's hand-written row values equal what the generic code would write."""

import json
from datetime import date
from typing import Any

import pytest

from services.enrollment.bulk.repository import insert_sql
from services.enrollment.enterprise.dossier import created_changes, created_changes_json
from services.enrollment.enterprise.models import SizeClass, SrdiStatus


@pytest.mark.parametrize(
    "values",
    [
        {},
        {
            "name": '引号"反斜杠\\换行\n控制\x01\u2028',
            "county_code": "410702",
            "size_class": SizeClass.above_scale,
        },
        {"srdi_status": SrdiStatus.none, "cloud_adopted": False, "employees": 0, "annual_output_fen": 2**70},
        {"srdi_recognised_on": date(2024, 1, 2), "output_tier": None, "cloud_adopted": True},
        {"name": 1.5, "employees": 3},  # a kind written by json.dumps itself
    ],
)
def test_created_changes_json_is_json_dumps(values: dict[str, Any]) -> None:
    assert created_changes_json(values) == json.dumps(created_changes(values), ensure_ascii=False)


def test_insert_sql_quotes_names() -> None:
    assert insert_sql("outbox", ("event_id", "envelope")) == (
        'INSERT INTO "outbox" ("event_id", "envelope") VALUES ($1, $2)'
    )
