from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx

from services.enrollment.programme.presets import load_preset
from services.enrollment.programme.progress import Admitted, Honour, progress
from services.enrollment.tests.test_application import USCC, Flow
from szcore.auth import Role


class TestProgressRule:
    def test_counts_by_metric_and_year(self) -> None:
        targets = load_preset("jinhua").targets
        admitted = [
            Admitted(2025, "above_scale", "little_giant", True),
            Admitted(2025, "below_scale", "none", False),
            Admitted(2026, "above_scale", "provincial_srdi", True),
        ]
        honours = [Honour(2025, "digital_workshop"), Honour(2026, "smart_factory"), Honour(2026, "showcase")]
        rows = {row.code: row for row in progress(targets, admitted, honours)}
        assert (rows["transform_total"].actual, rows["transform_total"].actual_by_year) == (
            3,
            {"2025": 2, "2026": 1},
        )
        assert rows["transform_above_scale"].actual == 2 and rows["transform_below_scale"].actual == 1
        assert rows["little_giant"].actual == 1 and rows["srdi"].actual == 2
        assert rows["cloud_adoption"].actual == 2
        assert rows["digital_workshops"].actual_by_year == {"2025": 1, "2026": 1}
        assert rows["showcase"].actual == 1
        assert rows["providers"].actual is None  # counted by the matching service, not here
        assert rows["transform_total"].by_year == {"2024": 96, "2025": 250, "2026": 235}


class TestProgressEndpoint:
    async def test_admission_counts_against_the_target_table(
        self,
        client: httpx.AsyncClient,
        programmes: list[str],
        tokens: Any,
        clock: Callable[[timedelta], None],
    ) -> None:
        flow = Flow(client, tokens)
        await flow.admitted(clock)
        honour = {
            "kind": "digital_workshop",
            "awarded_on": "2025-11-01",
            "level": "provincial",
            "source": "浙江省经信厅",
            "evidence": "浙经信〔2025〕1号",
        }
        assert (
            await client.post(f"/enterprises/{USCC}/designations", json=honour, headers=flow.city)
        ).status_code == 201
        body = (await client.get("/programmes/jinhua-2024/progress", headers=flow.city)).json()
        rows = {row["code"]: row for row in body["targets"]}
        assert rows["transform_total"]["actual"] == 1 and rows["transform_above_scale"]["actual"] == 1
        assert rows["digital_workshops"]["actual_by_year"] == {"2025": 1}
        other_county = (
            await client.get(
                "/programmes/jinhua-2024/progress", headers=flow.h(Role.county_admin, county="330783")
            )
        ).json()
        assert other_county["county_code"] == "330783"
        assert {row["code"]: row["actual"] for row in other_county["targets"]}["transform_total"] == 0
        refused = await client.get(
            "/programmes/jinhua-2024/progress", headers=flow.h(Role.enterprise, uscc=USCC)
        )
        assert refused.status_code == 403
