"""Reconciliation against the simulator: counts and SHA-256 per report kind and period on both sides; a
planted difference is found and recorded."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.sync import repository, service
from gateway.sync.content import build_payload
from gateway.sync.models import ReconciliationRun
from gateway.sync.national import NationalClient
from szcore.db import session_scope
from szcore.settings import Settings
from tests.support.databases import DatabaseFactory
from tests.support.national_simulator import SimulatorServer
from tests.test_national_push import drain, push_settings, pusher, queue, sim, simulator, sync_database

__all__ = ["sim", "simulator"]


@pytest.fixture
async def delivered(
    sim: SimulatorServer, databases: DatabaseFactory
) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], Settings, list[str]]]:
    """Three monthly reports delivered, the first two of them in two revisions."""
    sessionmaker = await sync_database(databases)
    settings = push_settings(sim.url)
    reports = await queue(sessionmaker, settings, 3)
    await queue(sessionmaker, settings, 2, records=[{"metric": "enterprises_admitted", "value": 7}])
    await drain(pusher(sessionmaker, settings))
    yield sessionmaker, settings, [r.idempotency_key for r in reports]
    await sessionmaker.kw["bind"].dispose()


async def reconcile(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, period: str | None = None
) -> ReconciliationRun:
    national = NationalClient(settings)
    try:
        async for session in session_scope(sessionmaker):
            run = await service.reconcile(session, national, period, "test")
    finally:
        await national.close()
    return run


class TestReconciliation:
    async def test_both_sides_agree_after_delivery(self, delivered: tuple) -> None:
        sessionmaker, settings, _ = delivered
        run = await reconcile(sessionmaker, settings)
        assert (run.status, run.checked, run.differences) == ("matched", 3, [])

    async def test_a_record_missing_on_the_national_side_is_found(
        self, delivered: tuple, sim: SimulatorServer
    ) -> None:
        sessionmaker, settings, keys = delivered
        sim.tamper(keys[2])
        run = await reconcile(sessionmaker, settings)
        assert run.status == "differences"
        (difference,) = run.differences
        assert (difference["kind"], difference["period"], difference["problem"]) == (
            "monthly_progress",
            "2026-03",
            "count",
        )
        assert difference["local"]["count"] == 1 and difference["remote"]["count"] == 0

    async def test_a_changed_record_is_found_by_its_hash(
        self, delivered: tuple, sim: SimulatorServer
    ) -> None:
        sessionmaker, settings, keys = delivered
        sim.tamper(keys[2], "change_record")
        run = await reconcile(sessionmaker, settings, "2026-03")
        assert [(d["period"], d["problem"]) for d in run.differences] == [("2026-03", "hash")]

    async def test_a_report_we_never_sent_is_found(self, delivered: tuple, sim: SimulatorServer) -> None:
        sessionmaker, settings, _ = delivered
        records = [{"key": "330702", "paid_fen": 1}]
        sim.plant(build_payload("fund_use", "2026-09", 1, "330700", records, {}))
        run = await reconcile(sessionmaker, settings)
        assert [(d["kind"], d["problem"]) for d in run.differences] == [("fund_use", "missing_local")]

    async def test_a_revision_the_national_side_lacks_is_found(
        self, delivered: tuple, sim: SimulatorServer
    ) -> None:
        sessionmaker, settings, _ = delivered
        sim.reset()
        run = await reconcile(sessionmaker, settings, "2026-02")
        assert [(d["period"], d["problem"]) for d in run.differences] == [("2026-02", "missing_remote")]
        assert run.differences[0]["local"]["revision"] == 2

    async def test_runs_are_recorded_even_when_the_national_side_is_down(self, delivered: tuple) -> None:
        sessionmaker, settings, _ = delivered
        run = await reconcile(
            sessionmaker, settings.model_copy(update={"national_push_url": "http://127.0.0.1:9"})
        )
        assert run.status == "failed" and run.error
        async with sessionmaker() as session:
            assert [r.status for r in await repository.runs(session)] == ["failed"]
