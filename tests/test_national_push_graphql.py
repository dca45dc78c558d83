"""Officials reach the national push through GraphQL: reports with their errors, fix and resend,
reconciliation; city administrators only. In process, against the simulator."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.app import create_app
from gateway.sync.models import ReportKind
from gateway.sync.runtime import SyncRuntime
from szcore.auth import Role
from tests.support.databases import DatabaseFactory
from tests.support.national_simulator import SimulatorServer
from tests.test_national_push import drain, push_settings, queue, sim, simulator, sync_database

__all__ = ["sim", "simulator"]

REPORTS = """query($status: NationalReportStatus) {
  nationalReports(status: $status) { id kind period revision status lastError supersededById remoteReceipt }
}"""
RESEND = """mutation($id: ID!, $records: JSON) {
  resendNationalReport(id: $id, records: $records) { report { id revision status } errors { code field } }
}"""
RECONCILE = """mutation { reconcileNational { run { status checked differences { kind period problem } }
  errors { code } } }"""


class Gateway:
    def __init__(self, client: httpx.AsyncClient, sync: SyncRuntime, tokens: Any) -> None:
        self.client, self.sync, self.tokens = client, sync, tokens

    async def call(self, query: str, role: Role = Role.city_admin, **variables: Any) -> dict[str, Any]:
        scope = {"county": "330702"} if role == Role.county_admin else {}
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers=self.tokens.headers(role, **scope),
        )
        return response.json()  # type: ignore[no-any-return]


@pytest.fixture
async def gateway(sim: SimulatorServer, databases: DatabaseFactory, tokens: Any) -> AsyncIterator[Gateway]:
    sessionmaker = await sync_database(databases)
    url = sessionmaker.kw["bind"].url.render_as_string(hide_password=False)
    await sessionmaker.kw["bind"].dispose()
    app = create_app(push_settings(sim.url, gateway_database_url=url))
    sync: SyncRuntime = app.state.sync
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw.test") as client:
        yield Gateway(client, sync, tokens)
    await sync.stop()


def sessionmaker_of(gateway: Gateway) -> async_sessionmaker[AsyncSession]:
    return gateway.sync.sessionmaker


class TestAccess:
    @pytest.mark.parametrize(
        "role", [Role.county_admin, Role.enterprise, Role.national_platform, Role.auditor]
    )
    async def test_only_city_administrators(self, gateway: Gateway, role: Role) -> None:
        scope = {Role.county_admin: {"county": "330702"}, Role.enterprise: {"uscc": "91330700MA2XXXXX1A"}}
        response = await gateway.client.post(
            "/graphql", json={"query": REPORTS}, headers=gateway.tokens.headers(role, **scope.get(role, {}))
        )
        assert response.json()["errors"][0]["extensions"]["code"] == "ROLE_NOT_ALLOWED"

    async def test_anonymous_is_refused(self, gateway: Gateway) -> None:
        response = await gateway.client.post("/graphql", json={"query": REPORTS})
        assert response.json()["errors"][0]["extensions"]["code"] == "TOKEN_MISSING"


class TestFixAndResend:
    async def test_official_sees_the_error_fixes_and_resends(
        self, gateway: Gateway, sim: SimulatorServer
    ) -> None:
        settings = gateway.sync.settings
        bad = [{"uscc": "SHORT", "county_code": "330702", "batch_id": "b7"}]
        await queue(sessionmaker_of(gateway), settings, 1, ReportKind.batch_admissions, bad)
        await drain(gateway.sync.pusher)
        rejected = (await gateway.call(REPORTS, status="REJECTED"))["data"]["nationalReports"]
        assert len(rejected) == 1
        assert rejected[0]["kind"] == "BATCH_ADMISSIONS"
        assert rejected[0]["lastError"]["errors"][0]["field"] == "records.0.uscc"

        wrong = await gateway.call(RESEND, id=rejected[0]["id"], records={"not": "a list"})
        assert wrong["data"]["resendNationalReport"]["errors"][0]["code"] == "INVALID_RECORDS"

        fixed = [{"uscc": "91330700MA2XXXXX1A", "county_code": "330702", "batch_id": "b7"}]
        result = (await gateway.call(RESEND, id=rejected[0]["id"], records=fixed))["data"][
            "resendNationalReport"
        ]
        assert result["errors"] == []
        assert (result["report"]["revision"], result["report"]["status"]) == (2, "PENDING")
        await drain(gateway.sync.pusher)

        reports = {r["revision"]: r for r in (await gateway.call(REPORTS))["data"]["nationalReports"]}
        assert reports[1]["status"] == "REJECTED" and reports[1]["lastError"]["code"] == "REPORT_INVALID"
        assert reports[1]["supersededById"] == reports[2]["id"]
        assert reports[2]["status"] == "DELIVERED" and reports[2]["remoteReceipt"]

        again = (await gateway.call(RESEND, id=reports[1]["id"]))["data"]["resendNationalReport"]
        assert again["errors"][0]["code"] == "REPORT_SUPERSEDED"

    async def test_unknown_report(self, gateway: Gateway) -> None:
        result = (await gateway.call(RESEND, id="nope"))["data"]["resendNationalReport"]
        assert result["errors"][0]["code"] == "REPORT_NOT_FOUND"


class TestReconcileThroughGraphQL:
    async def test_planted_difference_is_shown(self, gateway: Gateway, sim: SimulatorServer) -> None:
        settings = gateway.sync.settings
        sent = await queue(sessionmaker_of(gateway), settings, 2)
        await drain(gateway.sync.pusher)
        clean = (await gateway.call(RECONCILE))["data"]["reconcileNational"]["run"]
        assert (clean["status"], clean["checked"], clean["differences"]) == ("matched", 2, [])
        sim.tamper(sent[0].idempotency_key)
        run = (await gateway.call(RECONCILE))["data"]["reconcileNational"]["run"]
        assert run["status"] == "differences"
        assert run["differences"] == [{"kind": sent[0].kind, "period": sent[0].period, "problem": "count"}]
        runs = await gateway.call(
            "{ nationalReconciliations { status } nationalSyncStatus { enabled counts } }"
        )
        assert [r["status"] for r in runs["data"]["nationalReconciliations"]] == ["differences", "matched"]
        assert runs["data"]["nationalSyncStatus"] == {"enabled": True, "counts": {"delivered": 2}}
