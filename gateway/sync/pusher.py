"""The push loop: lease a due report, send it with its idempotency key, record the outcome; back off with
jitter on failure and stop sending while the circuit breaker is open."""

import asyncio
import logging
import random
import socket
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from prometheus_client import Counter, Gauge
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.sync import repository
from gateway.sync.models import ReportStatus
from gateway.sync.national import NationalClient, PushResult, Verdict
from gateway.sync.resilience import CircuitBreaker, backoff_delay
from szcore.db import session_scope
from szcore.settings import Settings
from szcore.types import utcnow

log = logging.getLogger(__name__)

PUSHES = Counter("sz_national_push_total", "Report sends to the national platform, by outcome", ["outcome"])
BREAKER_OPEN = Gauge(
    "sz_national_breaker_open", "1 while this replica's breaker to the national platform is open"
)


class Pusher:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        national: NationalClient,
        settings: Settings,
        *,
        owner: str | None = None,
        rand: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.national = national
        self.settings = settings
        self.owner = owner or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
        self.rand = rand or random.Random()
        self.clock = clock
        self.breaker = CircuitBreaker(
            settings.national_breaker_failures, settings.national_breaker_cooldown_seconds
        )
        # Longer than any one send, so that a live sender never loses its lease to another replica.
        self.lease = timedelta(seconds=2 * settings.national_push_timeout_seconds + 30)
        self.wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.sent = 0

    async def run_once(self, limit: int = 100) -> int:
        """Send due reports until none is due, the breaker refuses, or `limit` were sent."""
        sent = 0
        while sent < limit:
            if not self.breaker.allow(self.clock()):
                break
            async for session in session_scope(self.sessionmaker):
                report = await repository.claim_due(session, self.owner, utcnow(), self.lease)
                claimed = (
                    (report.id, report.idempotency_key, report.payload, report.attempts) if report else None
                )
            if claimed is None:
                self.breaker.cancel_trial()
                break
            report_id, key, payload, attempts = claimed
            result = await self.national.push(key, payload)
            await self.record(report_id, attempts, result)
            sent += 1
        self.sent += sent
        return sent

    async def record(self, report_id: str, attempts: int, result: PushResult) -> None:
        now = utcnow()
        if result.verdict == Verdict.delivered:
            self.breaker.record_success()
            values: dict[str, object] = {
                "status": ReportStatus.delivered,
                "delivered_at": now,
                "remote_receipt": result.receipt,
                "next_attempt_at": None,
            }
        elif result.verdict == Verdict.rejected:
            # The national side is up and answering: a rejection is not a failure of the connection.
            self.breaker.record_success()
            values = {"status": ReportStatus.rejected, "last_error": result.error, "next_attempt_at": None}
            log.warning("national platform rejected report %s: %s", report_id, result.error.get("code"))
        else:
            self.breaker.record_failure(self.clock())
            if attempts >= self.settings.national_push_max_attempts:
                values = {"status": ReportStatus.dead, "last_error": result.error, "next_attempt_at": None}
                log.error("report %s given up after %d attempts", report_id, attempts)
            else:
                delay = backoff_delay(
                    attempts,
                    self.settings.national_push_backoff_base_seconds,
                    self.settings.national_push_backoff_max_seconds,
                    self.rand,
                    result.retry_after,
                )
                values = {
                    "status": ReportStatus.pending,
                    "last_error": result.error,
                    "next_attempt_at": now + timedelta(seconds=delay),
                }
        status = str(values["status"])
        PUSHES.labels("retry" if status == ReportStatus.pending else status).inc()
        BREAKER_OPEN.set(0 if self.breaker.state == "closed" else 1)
        async for session in session_scope(self.sessionmaker):
            if not await repository.finish(session, report_id, self.owner, **values):
                log.warning("lease on report %s was lost before its outcome was recorded", report_id)

    def poke(self) -> None:
        """Send now (a report was just queued) instead of at the next poll."""
        self.wake.set()

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("national push round failed")
            wait = max(self.settings.national_push_poll_seconds, self.breaker.retry_in(self.clock()))
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=wait)
            except TimeoutError:
                pass
            self.wake.clear()

    async def start(self) -> None:
        if self.task is None:
            self.task = asyncio.create_task(self._loop(), name="national-pusher")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            try:
                await self.task
            except asyncio.CancelledError:
                pass
            self.task = None
