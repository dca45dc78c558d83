"""Scheduled generation of the reports that are due, queued into the outbox that the pusher drains.

Due: the three monthly reports for the previous month once the configured day of the month is reached (the
services get a few days for late entries), and a batch's admission list once the batch is admitted (it has
admitted enterprises and its diagnosis window has started, or, without one, its application window has
ended). A monthly period already generated is never generated again (corrections are an official's resend);
a batch list is rebuilt on every run and queued only when its content changed (withdrawals and replacements
adjust the list dynamically). Only one gateway replica acts per run: a PostgreSQL advisory lock held for
the run's transaction (SQLite has one process). The services are called with a short-lived national_platform
token the gateway mints itself: read-only and city-wide, exactly what the national side may already pull."""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.clients import Clients
from gateway.sync import repository, service
from gateway.sync.builders import BUILDERS, Builder
from gateway.sync.models import NationalReport, ReportKind
from szcore.auth import Role, issue_token
from szcore.credentials import signing_key
from szcore.db import session_scope
from szcore.settings import Settings
from szcore.types import utcnow

log = logging.getLogger(__name__)

MONTHLY = (ReportKind.monthly_progress, ReportKind.fund_use, ReportKind.acceptance_results)
# pg advisory lock key: "szsched" as an integer; every gateway replica uses the same one.
LOCK_KEY = int.from_bytes(b"szsched", "big")
ACTOR = "scheduler"
SERVICE_SUBJECT = "gateway-national-scheduler"
TOKEN_TTL_SECONDS = 300


def previous_month(now: datetime) -> str:
    year, month = (now.year, now.month - 1) if now.month > 1 else (now.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def monthly_due(now: datetime, day_of_month: int) -> list[tuple[str, str]]:
    """The monthly reports for the month before `now`, from the configured day on."""
    if now.day < day_of_month:
        return []
    period = previous_month(now)
    return [(str(kind), period) for kind in MONTHLY]


def batch_admitted(batch: dict[str, Any], admitted: int, today: date) -> bool:
    """A batch's list is final enough to report once enterprises are admitted and the batch moved on."""
    if admitted == 0:
        return False
    diagnosis, application = batch.get("diagnosis_window"), batch.get("application_window")
    if diagnosis:
        return date.fromisoformat(diagnosis["start"]) <= today
    if application:
        return date.fromisoformat(application["end"]) < today
    return True


def service_token(settings: Settings) -> str:
    """Signed like /oauth/token's tokens (SZ_AUTH_SIGNING_KEY_FILE); the dev secret in dev and test."""
    key = signing_key(settings)
    return issue_token(
        settings,
        Role.national_platform,
        subject=SERVICE_SUBJECT,
        ttl_seconds=TOKEN_TTL_SECONDS,
        private_key_pem=key[0] if key else None,
        kid=key[1] if key else None,
        extra={"client_id": SERVICE_SUBJECT},
    )


# SQLite: one process; two schedulers in it (tests) must still not interleave their runs.
_process_locks: dict[str, asyncio.Lock] = {}


async def try_lock(session: AsyncSession) -> bool:
    if session.bind.dialect.name != "postgresql":
        return True
    return bool(
        (await session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": LOCK_KEY})).scalar()
    )


@dataclass
class RunResult:
    locked: bool
    queued: list[NationalReport]
    failed: list[tuple[str, str, str]]


class Scheduler:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clients: Clients,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utcnow,
        wake: Callable[[], None] | None = None,
        builders: dict[str, Builder] | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.clients = clients
        self.settings = settings
        self.clock = clock
        self.wake = wake
        self.builders = builders or BUILDERS
        self.task: asyncio.Task[None] | None = None

    async def run_once(self) -> RunResult:
        bind = self.sessionmaker.kw["bind"]
        if bind.dialect.name == "postgresql":
            return await self._run()
        lock = _process_locks.setdefault(str(bind.url), asyncio.Lock())
        if lock.locked():
            return RunResult(locked=False, queued=[], failed=[])
        async with lock:
            return await self._run()

    async def _run(self) -> RunResult:
        now = self.clock()
        result = RunResult(locked=False, queued=[], failed=[])
        async for session in session_scope(self.sessionmaker):
            if not await try_lock(session):
                return result  # another replica is generating right now
            result.locked = True
            token = service_token(self.settings)
            for kind, period in monthly_due(now, self.settings.national_schedule_day_of_month):
                if await repository.latest_revision(session, kind, period) is None:
                    await self._queue(session, token, kind, period, result)
            for batch_id in await self._admitted_batches(token, now.date(), result):
                latest = await repository.latest_revision(session, ReportKind.batch_admissions, batch_id)
                if (
                    latest is None or latest.status not in service.FIXABLE
                ):  # a rejected one awaits an official
                    await self._queue(session, token, ReportKind.batch_admissions, batch_id, result)
        if result.queued and self.wake is not None:
            self.wake()
        return result

    async def _queue(
        self, session: AsyncSession, token: str, kind: str, period: str, result: RunResult
    ) -> None:
        try:
            records, summary = await self.builders[kind](
                self.clients, token, period, self.settings.national_city_code
            )
        except Exception as exc:  # a service down: the next run tries again
            log.warning("scheduled %s %s could not be built: %s", kind, period, exc)
            result.failed.append((kind, period, f"{type(exc).__name__}: {exc}"[:300]))
            return
        before = await repository.latest_revision(session, kind, period)
        report = await service.queue_report(session, self.settings, kind, period, records, summary, ACTOR)
        if before is None or report.id != before.id:
            result.queued.append(report)

    async def _admitted_batches(self, token: str, today: date, result: RunResult) -> list[str]:
        city = self.settings.national_city_code
        try:
            programmes = (await self.clients.enrollment.get("/programmes", token))["items"]
            batches: list[str] = []
            for summary in sorted(programmes, key=lambda p: p["id"]):
                if city and summary["city_code"] != city:
                    continue
                programme = await self.clients.enrollment.get(f"/programmes/{summary['id']}", token)
                for batch in programme["config"]["batches"]:
                    admitted = await self.clients.enrollment.get(
                        "/applications",
                        token,
                        params={"batch_id": batch["id"], "status": "admitted", "limit": 1},
                    )
                    if batch_admitted(batch, int(admitted["total"]), today):
                        batches.append(batch["id"])
            return batches
        except Exception as exc:
            log.warning("scheduled batch lists: programmes could not be read: %s", exc)
            result.failed.append((ReportKind.batch_admissions, "*", f"{type(exc).__name__}: {exc}"[:300]))
            return []

    def start(self) -> None:
        self.task = asyncio.create_task(self._loop(), name="national-schedule")

    async def _loop(self) -> None:
        while True:
            try:
                outcome = await self.run_once()
                if outcome.queued:
                    log.info("national schedule queued %d reports", len(outcome.queued))
            except Exception:
                log.exception("national schedule run failed")
            await asyncio.sleep(self.settings.national_schedule_interval_seconds)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
