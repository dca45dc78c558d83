"""The budget-source gauge the alert `ShuzhuanBudgetSourceNearZero` reads, served on /metrics."""

import asyncio
import uuid

import httpx

from ops.processes import migrate
from services.funding.app import create_app
from services.funding.tests.support import key
from szcore.auth import Role
from tests.support.databases import DatabaseFactory


class TestSourceAvailableGauge:
    async def test_metrics_show_what_each_allocated_source_has_available(
        self, databases: DatabaseFactory, tokens
    ) -> None:
        url = await databases.create(f"funding_metrics_{uuid.uuid4().hex[:6]}")
        await asyncio.to_thread(migrate, "funding", url)
        app = create_app(database_url=url, start_background=False)
        city = tokens.headers(Role.city_admin)
        suffix = uuid.uuid4().hex[:6]
        funded, empty = f"m-{suffix}-central", f"m-{suffix}-city"
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://funding.test"
            ) as client:
                for source_id in (funded, empty):
                    body = {
                        "source_id": source_id,
                        "level": "city",
                        "name": source_id,
                        "policy_key": "jinhua",
                    }
                    assert (await client.post("/funding-sources", json=body, headers=city)).status_code == 201
                allocation = {"fiscal_year": 2025, "amount_fen": 4_321_000}
                response = await client.post(
                    f"/funding-sources/{funded}/allocations", json=allocation, headers=city | key()
                )
                assert response.status_code == 200, response.text
                text = (await client.get("/metrics")).text
        assert f'sz_funding_source_available_fen{{source="{funded}"}} 4.321e+06' in text
        # A source that was never allocated is not "near zero": it has no series.
        assert f'source="{empty}"' not in text
