"""Generate-now against the running services: each of the four reports is built from the services' data
over HTTP, queued, pushed to the simulator and delivered once; unchanged data generated again sends none."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.sync.runtime import SyncRuntime
from ops.local import Platform
from szcore.auth import Role
from szcore.settings import SERVICES
from tests.support.databases import DatabaseFactory
from tests.support.national_simulator import SimulatorServer
from tests.test_national_push import drain, push_settings, sim, simulator, sync_database

__all__ = ["sim", "simulator"]
pytestmark = pytest.mark.e2e

GENERATE = """mutation($kind: NationalReportKind!, $period: String!) {
  generateNationalReport(kind: $kind, period: $period) {
    report { id kind period revision status recordCount payload } errors { code field message }
  }
}"""


@pytest.fixture
async def gateway(
    platform: Platform, sim: SimulatorServer, databases: DatabaseFactory, tokens: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, SyncRuntime]]:
    sessionmaker = await sync_database(databases)
    url = sessionmaker.kw["bind"].url.render_as_string(hide_password=False)
    await sessionmaker.kw["bind"].dispose()
    async with httpx.AsyncClient(base_url=platform.url("enrollment")) as enrollment:
        seeded = await enrollment.post(
            "/programmes/seed", params={"city": "jinhua"}, headers=tokens.headers(Role.city_admin)
        )
        assert seeded.status_code == 200, seeded.text
    await quiet_funding(platform, tokens)
    upstreams = {f"{service}_url": platform.url(service) for service in SERVICES}
    app = create_app(push_settings(sim.url, gateway_database_url=url, **upstreams))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw.test") as client:
        yield client, app.state.sync
    await app.state.sync.stop()
    await app.state.clients.close()


async def quiet_funding(platform: Platform, tokens: Any) -> None:
    """The platform is shared: wait until events of earlier tests stop changing the funds report, or two
    generations of one period would differ for reasons outside this test."""
    headers = tokens.headers(Role.city_admin)
    async with httpx.AsyncClient(base_url=platform.url("funding")) as funding:
        last = None
        for _ in range(60):
            report = (
                await funding.get("/reports/funds", params={"group_by": "county"}, headers=headers)
            ).json()
            if report == last:
                return
            last = report
            await asyncio.sleep(0.5)


async def generate(client: httpx.AsyncClient, tokens: Any, kind: str, period: str) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": GENERATE, "variables": {"kind": kind, "period": period}},
        headers=tokens.headers(Role.city_admin),
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["generateNationalReport"]  # type: ignore[no-any-return]


class TestGenerateNow:
    @pytest.mark.parametrize(
        ("kind", "period"),
        [
            ("MONTHLY_PROGRESS", "2026-10"),
            ("BATCH_ADMISSIONS", "no-such-batch"),
            ("ACCEPTANCE_RESULTS", "2026-10"),
            ("FUND_USE", "2026-10"),
        ],
    )
    async def test_each_report_is_built_from_the_services_and_delivered_once(
        self,
        gateway: tuple[httpx.AsyncClient, SyncRuntime],
        sim: SimulatorServer,
        tokens: Any,
        kind: str,
        period: str,
    ) -> None:
        client, sync = gateway
        first = await generate(client, tokens, kind, period)
        assert first["errors"] == []
        report = first["report"]
        assert (report["kind"], report["period"], report["revision"]) == (kind, period, 1)
        assert report["payload"]["record_count"] == report["recordCount"]
        if kind == "MONTHLY_PROGRESS":
            # The seeded Jinhua programme's target table (push_settings: city 330700), row by row.
            targets = [r for r in report["payload"]["records"] if r["metric"].startswith("target:")]
            assert targets and all(r["programme_id"] == "jinhua-2024" for r in targets)
        await drain(sync.pusher)
        again = await generate(client, tokens, kind, period)
        assert again["report"]["id"] == report["id"]
        await drain(sync.pusher)
        assert list(sim.received()["stored"].values()) == [1]

    async def test_a_wrong_period_is_the_callers_error(
        self, gateway: tuple[httpx.AsyncClient, SyncRuntime], tokens: Any
    ) -> None:
        client, _ = gateway
        result = await generate(client, tokens, "FUND_USE", "October")
        assert result["report"] is None
        assert result["errors"][0]["code"] == "INVALID_PERIOD"
