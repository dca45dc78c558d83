"""The bulk push's fast path accepts only what EnterpriseCreate accepts, with the same values."""

import itertools
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from services.enrollment.enterprise.quick import MISS, QuickValidator
from services.enrollment.enterprise.schemas import EnterpriseCreate

QUICK = QuickValidator(EnterpriseCreate)
VALID: dict[str, Any] = {
    "uscc": "91410702000000001x",
    "name": "新乡华宏机械有限公司",
    "county_code": "410702",
    "industry_code": "C3411",
    "size_class": "above_scale",
    "employees": 120,
    "annual_output_fen": 5_000_000_000,
    "contact_name": "张三",
    "contact_phone": "0373-1234567",
    "contact_email": "a@b.cn",
    "cloud_adopted": True,
    "srdi_status": "innovative",
    "srdi_recognised_on": "2024-01-02",
}
VARIANTS: dict[str, list[Any]] = {
    "uscc": ["", " 9141", "９１", "x" * 33, "ß1", 914, None],
    "name": ["", " a", "a ", "a\u3000", "a" * 201, "a" * 200, 1, None],
    "county_code": ["41070", "４１０７０２", "410702\n", "4107020", 410702, None],
    "industry_code": ["c34", "U1", "C12345", "C", "C٣", None],
    "size_class": ["above", "ABOVE_SCALE", 1, None],
    "employees": [-1, 10_000_001, 10_000_000, "12", 1.0, True, None],
    "annual_output_fen": [-1, 0, 2**70, "1", None],
    "contact_phone": ["1234", "(0373) 123-4567", "0373\u30001234567", "x" * 41, None],
    "contact_email": ["a@b", "a b@c.d", "a@b.c\x1c", "张@例子.中国", "a@@b.c", "", None],
    "cloud_adopted": ["true", 1, 0, None, False],
    "srdi_status": ["none", "bad", None],
    "srdi_recognised_on": ["2024-02-30", "2024-1-02", "20240102", "２０２４-01-02", date(2024, 1, 2), None],
    "extra": ["x"],
}


def expected(record: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return EnterpriseCreate.model_validate(record).model_dump(exclude_unset=True)
    except ValidationError:
        return None


def test_every_field_has_a_fast_check() -> None:
    assert set(QUICK.checks) == set(EnterpriseCreate.model_fields)
    assert all(check(None) is MISS for check in QUICK.checks.values())
    assert QUICK.nullable == {n for n, f in EnterpriseCreate.model_fields.items() if not f.is_required()}
    assert QUICK.check(VALID) == expected(VALID)


@pytest.mark.parametrize("field", list(VARIANTS))
def test_accepts_only_what_the_model_accepts(field: str) -> None:
    for value in VARIANTS[field]:
        record = {**VALID, field: value}
        quick, model = QUICK.check(record), expected(record)
        assert quick is None or quick == model, (field, value)
        assert quick is None or type(quick.get(field)) is type(model.get(field))  # type: ignore[union-attr]


def test_missing_fields_go_to_the_model() -> None:
    for size in (1, 2):
        for missing in itertools.combinations(["uscc", "name", "county_code", "size_class"], size):
            record = {k: v for k, v in VALID.items() if k not in missing}
            assert QUICK.check(record) is None
            assert expected(record) is None
