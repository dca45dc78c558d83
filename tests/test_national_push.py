"""The push against the national-platform simulator: every fault survived, every report delivered exactly
once, rejections kept with their error and resent, two gateway replicas never sending the same report."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.sync import repository, service
from gateway.sync.models import NationalReport, ReportKind, ReportStatus
from gateway.sync.national import NationalClient
from gateway.sync.pusher import Pusher
from ops.processes import migrate
from szcore.db import create_engine, session_scope
from szcore.settings import Settings, get_settings
from szcore.types import utcnow
from tests.support.databases import DatabaseFactory
from tests.support.national_simulator import SimulatorServer

TIMEOUT = 0.5


def push_settings(url: str, **overrides: Any) -> Settings:
    """Short timeouts and back-off so that a test goes through many failures in a second or two."""
    values: dict[str, Any] = {
        "national_push_url": url,
        "national_push_timeout_seconds": TIMEOUT,
        "national_push_backoff_base_seconds": 0.01,
        "national_push_backoff_max_seconds": 0.05,
        "national_push_max_attempts": 100,
        "national_breaker_failures": 3,
        "national_breaker_cooldown_seconds": 0.1,
        "national_city_code": "330700",
    }
    return get_settings().model_copy(update={**values, **overrides})


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorServer]:
    with SimulatorServer() as server:
        yield server


@pytest.fixture
def sim(simulator: SimulatorServer) -> SimulatorServer:
    simulator.reset()
    return simulator


async def sync_database(databases: DatabaseFactory) -> async_sessionmaker[AsyncSession]:
    url = await databases.create(f"push_{uuid.uuid4().hex[:8]}")
    await asyncio.to_thread(migrate, "gateway", url)
    return async_sessionmaker(create_engine(url), expire_on_commit=False, autoflush=False)


@pytest.fixture
async def db(databases: DatabaseFactory) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    sessionmaker = await sync_database(databases)
    yield sessionmaker
    await sessionmaker.kw["bind"].dispose()


async def queue(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    count: int,
    kind: str = ReportKind.monthly_progress,
    records: list[dict[str, Any]] | None = None,
) -> list[NationalReport]:
    reports = []
    async for session in session_scope(sessionmaker):
        for n in range(count):
            period = f"2026-{n % 12 + 1:02d}" if kind != ReportKind.batch_admissions else f"batch-{n}"
            rows = records if records is not None else [{"metric": "enterprises_admitted", "value": n}]
            reports.append(await service.queue_report(session, settings, kind, period, rows, {}, "test"))
    return reports


async def reports(sessionmaker: async_sessionmaker[AsyncSession]) -> list[NationalReport]:
    async with sessionmaker() as session:
        return list(await repository.listing(session, limit=1000))


async def drain(*pushers: Pusher, timeout: float = 30) -> None:
    """Push until nothing is pending or sending any more."""
    deadline = time.monotonic() + timeout
    sessionmaker = pushers[0].sessionmaker
    while time.monotonic() < deadline:
        await asyncio.gather(*(p.run_once() for p in pushers))
        counts = await _counts(sessionmaker)
        if not counts.get(ReportStatus.pending) and not counts.get(ReportStatus.sending):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"still not drained: {await _counts(sessionmaker)}")


async def _counts(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessionmaker() as session:
        return await repository.status_counts(session)


def pusher(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> Pusher:
    return Pusher(sessionmaker, NationalClient(settings), settings)


def assert_exactly_once(
    sim: SimulatorServer, sent: list[NationalReport], delivered: list[NationalReport]
) -> None:
    received = sim.received()
    assert received["stored"] == {r.idempotency_key: 1 for r in sent}
    receipts = {r["key"]: r["receipt"] for r in received["reports"]}
    assert all(r.status == ReportStatus.delivered for r in delivered)
    assert {r.idempotency_key: r.remote_receipt for r in delivered} == receipts


FAULTS = [
    pytest.param([{"kind": "hang", "count": 2, "delay": TIMEOUT * 2}], id="hang"),
    pytest.param([{"kind": "timeout", "count": 2, "delay": TIMEOUT * 2}], id="timeout-after-store"),
    pytest.param([{"kind": "slow", "count": 3, "delay": TIMEOUT / 3}], id="slow"),
    pytest.param([{"kind": "error500", "count": 4}], id="500"),
    pytest.param([{"kind": "error503", "count": 2}], id="503-retry-after"),
    pytest.param([{"kind": "ack_lost", "count": 3}], id="ack-lost-duplicates"),
    pytest.param([{"kind": "drop", "count": 2}], id="dropped-connection"),
    pytest.param([{"kind": "duplicate409"}, {"kind": "ack_lost", "count": 2}], id="duplicate-409"),
]


class TestEveryFault:
    @pytest.mark.parametrize("faults", FAULTS)
    async def test_every_report_arrives_exactly_once(
        self, sim: SimulatorServer, db: async_sessionmaker[AsyncSession], faults: list[dict[str, Any]]
    ) -> None:
        settings = push_settings(sim.url)
        sent = await queue(db, settings, 3)
        sim.faults(faults)
        push = pusher(db, settings)
        # The 503 asks for a 1 s pause; everything else retries within milliseconds.
        await drain(push)
        assert_exactly_once(sim, sent, await reports(db))
        assert all(r.attempts >= 1 for r in await reports(db))

    async def test_duplicates_were_really_sent_and_answered_with_the_first_receipt(
        self, sim: SimulatorServer, db: async_sessionmaker[AsyncSession]
    ) -> None:
        settings = push_settings(sim.url)
        (report,) = await queue(db, settings, 1)
        sim.fault("ack_lost", count=2)
        await drain(pusher(db, settings))
        received = sim.received()
        assert received["duplicates"] == {report.idempotency_key: 2}
        (delivered,) = await reports(db)
        assert delivered.attempts == 3
        assert delivered.remote_receipt == received["reports"][0]["receipt"]


class TestEverythingFailsWhileReportsAreDue:
    async def test_all_reports_arrive_exactly_once_after_recovery(
        self, sim: SimulatorServer, db: async_sessionmaker[AsyncSession]
    ) -> None:
        settings = push_settings(sim.url)
        sent = []
        for kind in ReportKind:
            records = (
                [{"uscc": "91330700MA2XXXXX1A", "county_code": "330702", "batch_id": "b"}]
                if kind == ReportKind.batch_admissions
                else [{"uscc": "91330700MA2XXXXX1A", "level": 2}]
                if kind == ReportKind.acceptance_results
                else [{"key": "330702", "paid_fen": 100}]
                if kind == ReportKind.fund_use
                else None
            )
            sent += await queue(db, settings, 3, kind, records)
        sim.faults(
            [
                {"kind": "hang", "delay": TIMEOUT * 2},
                {"kind": "timeout", "delay": TIMEOUT * 2},
                {"kind": "error500", "count": 2},
                {"kind": "ack_lost", "count": 2},
                {"kind": "drop", "count": 2},
                {"kind": "slow", "delay": TIMEOUT / 3},
                {"kind": "error503"},
                {"kind": "duplicate409"},
                {"kind": "ack_lost"},
                {"kind": "error500", "count": -1},
            ]
        )
        push = pusher(db, settings)
        for _ in range(20):
            await push.run_once()
            await asyncio.sleep(0.03)
        counts = await _counts(db)
        assert counts.get(ReportStatus.delivered, 0) < len(sent)
        sim.clear_faults()
        await drain(push)
        assert_exactly_once(sim, sent, await reports(db))


class TestCircuitBreaker:
    async def test_stops_calling_while_open_and_tries_one_after_the_cooldown(
        self, sim: SimulatorServer, db: async_sessionmaker[AsyncSession]
    ) -> None:
        settings = push_settings(
            sim.url, national_breaker_cooldown_seconds=0.5, national_push_backoff_max_seconds=0.01
        )
        sent = await queue(db, settings, 5)
        sim.fault("error500", count=-1)
        push = pusher(db, settings)
        await push.run_once()
        assert sim.received()["requests"] == 3
        await asyncio.sleep(0.05)
        assert await push.run_once() == 0
        assert sim.received()["requests"] == 3
        await asyncio.sleep(0.5)
        assert await push.run_once() == 1
        assert sim.received()["requests"] == 4
        sim.clear_faults()
        await asyncio.sleep(0.5)
        await drain(push)
        assert_exactly_once(sim, sent, await reports(db))


class TestRejection:
    async def test_rejected_report_is_kept_with_the_national_error(
        self, sim: SimulatorServer, db: async_sessionmaker[AsyncSession]
    ) -> None:
        settings = push_settings(sim.url)
        bad = [{"uscc": "TOO-SHORT", "county_code": "330702", "batch_id": "b1"}]
        await queue(db, settings, 1, ReportKind.batch_admissions, bad)
        await drain(pusher(db, settings))
        (rejected,) = await reports(db)
        assert rejected.status == ReportStatus.rejected
        assert rejected.last_error is not None
        assert rejected.last_error["status"] == 422
        assert rejected.last_error["code"] == "REPORT_INVALID"
        assert rejected.last_error["errors"][0]["field"] == "records.0.uscc"
        assert sim.received()["stored"] == {}

    async def test_fix_and_resend_is_a_new_revision_and_the_rejected_one_stays(
        self, sim: SimulatorServer, db: async_sessionmaker[AsyncSession]
    ) -> None:
        settings = push_settings(sim.url)
        bad = [{"uscc": "TOO-SHORT", "county_code": "330702", "batch_id": "b1"}]
        (report,) = await queue(db, settings, 1, ReportKind.batch_admissions, bad)
        push = pusher(db, settings)
        await drain(push)
        fixed = [{"uscc": "91330700MA2XXXXX1A", "county_code": "330702", "batch_id": "b1"}]
        async for session in session_scope(db):
            resent = await service.resend(session, settings, report.id, "official", records=fixed)
        assert resent.revision == 2
        await drain(push)
        by_revision = {r.revision: r for r in await reports(db)}
        assert by_revision[1].status == ReportStatus.rejected
        assert by_revision[1].last_error and by_revision[1].last_error["code"] == "REPORT_INVALID"
        assert by_revision[1].superseded_by_id == by_revision[2].id
        assert by_revision[2].status == ReportStatus.delivered
        assert by_revision[2].payload["supersedes"] == report.idempotency_key
        assert sim.received()["stored"] == {by_revision[2].idempotency_key: 1}

    async def test_a_simulated_rejection_resent_unchanged_goes_through(
        self, sim: SimulatorServer, db: async_sessionmaker[AsyncSession]
    ) -> None:
        settings = push_settings(sim.url)
        (report,) = await queue(db, settings, 1)
        sim.fault("reject")
        push = pusher(db, settings)
        await drain(push)
        async for session in session_scope(db):
            resent = await service.resend(session, settings, report.id, "official")
        await drain(push)
        assert sim.received()["stored"] == {resent.idempotency_key: 1}

    async def test_only_rejected_or_given_up_reports_are_resent(
        self, sim: SimulatorServer, db: async_sessionmaker[AsyncSession]
    ) -> None:
        from gateway.errors import GatewayError

        settings = push_settings(sim.url)
        (report,) = await queue(db, settings, 1)
        with pytest.raises(GatewayError) as error:
            async for session in session_scope(db):
                await service.resend(session, settings, report.id, "official")
        assert error.value.code == "REPORT_NOT_FIXABLE"


class TestGivingUp:
    async def test_given_up_report_is_requeued_under_the_same_key(
        self, sim: SimulatorServer, db: async_sessionmaker[AsyncSession]
    ) -> None:
        settings = push_settings(sim.url, national_push_max_attempts=2, national_breaker_failures=100)
        (report,) = await queue(db, settings, 1)
        sim.fault("ack_lost", count=-1)
        push = pusher(db, settings)
        await drain(push)
        (dead,) = await reports(db)
        assert dead.status == ReportStatus.dead
        sim.clear_faults()
        async for session in session_scope(db):
            again = await service.resend(session, settings, report.id, "official")
        assert again.id == report.id
        await drain(push)
        (delivered,) = await reports(db)
        assert delivered.status == ReportStatus.delivered
        assert sim.received()["stored"] == {report.idempotency_key: 1}


class TestQueueing:
    async def test_same_content_twice_is_one_report(
        self, sim: SimulatorServer, db: async_sessionmaker[AsyncSession]
    ) -> None:
        settings = push_settings(sim.url)
        first = await queue(db, settings, 1)
        second = await queue(db, settings, 1)
        assert [r.id for r in first] == [r.id for r in second]
        changed = await queue(db, settings, 1, records=[{"metric": "enterprises_admitted", "value": 99}])
        assert changed[0].revision == 2


class TestTwoReplicas:
    async def test_two_pushers_on_one_database_never_send_a_report_twice(
        self, sim: SimulatorServer, databases: DatabaseFactory
    ) -> None:
        settings = push_settings(sim.url)
        first = await sync_database(databases)
        url = first.kw["bind"].url.render_as_string(hide_password=False)
        second = async_sessionmaker(create_engine(url), expire_on_commit=False, autoflush=False)
        try:
            sent = await queue(first, settings, 24)
            sim.fault("slow", count=-1, delay=0.03)
            a, b = pusher(first, settings), pusher(second, settings)
            await drain(a, b)
            received = sim.received()
            # Not even a retry: concurrent replicas lease different rows, so nothing arrives twice.
            assert received["duplicates"] == {}
            assert_exactly_once(sim, sent, await reports(first))
            assert a.sent > 0 and b.sent > 0
        finally:
            await first.kw["bind"].dispose()
            await second.kw["bind"].dispose()

    async def test_a_report_leased_by_a_replica_that_died_goes_out_after_the_lease(
        self, sim: SimulatorServer, db: async_sessionmaker[AsyncSession]
    ) -> None:
        settings = push_settings(sim.url)
        (report,) = await queue(db, settings, 1)
        survivor = pusher(db, settings)
        async for session in session_scope(db):
            # A replica leased it (and maybe sent it), then died before recording the outcome.
            assert await repository.claim_due(session, "dead-replica", utcnow(), survivor.lease)
        async for session in session_scope(db):
            assert await repository.claim_due(session, "other", utcnow(), survivor.lease) is None
        async for session in session_scope(db):
            # Time passes: the lease runs out.
            await session.execute(update(NationalReport).values(leased_until=utcnow() - timedelta(seconds=1)))
        await drain(survivor)
        (delivered,) = await reports(db)
        assert (delivered.status, delivered.attempts) == (ReportStatus.delivered, 2)
        assert sim.received()["stored"] == {report.idempotency_key: 1}


class TestCredentials:
    async def test_the_token_file_is_sent_and_a_refusal_is_retried_not_rejected(
        self, db: async_sessionmaker[AsyncSession], tmp_path: Path
    ) -> None:
        with SimulatorServer(token="s3cret") as guarded:
            settings = push_settings(guarded.url, national_push_token_file=tmp_path / "token")
            (report,) = await queue(db, settings, 1)
            push = pusher(db, settings)
            await push.run_once(limit=1)
            (waiting,) = await reports(db)
            assert waiting.status == ReportStatus.pending
            assert waiting.last_error and waiting.last_error["status"] == 401
            (tmp_path / "token").write_text("s3cret\n")
            await drain(push)
            assert guarded.received()["stored"] == {report.idempotency_key: 1}
