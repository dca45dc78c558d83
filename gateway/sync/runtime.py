"""The gateway's sync runtime: its database, the pusher (when a national URL is configured), the
scheduled generation of due reports (when enabled) and the periodic reconciliation."""

import asyncio
import contextlib
import logging

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from gateway.clients import Clients
from gateway.sync import service
from gateway.sync.national import NationalClient
from gateway.sync.pusher import Pusher
from gateway.sync.scheduler import Scheduler
from szcore.db import create_engine, is_sqlite, session_scope
from szcore.settings import Settings

log = logging.getLogger(__name__)

# Sync traffic is a few rows a minute: a small pool per gateway pod keeps the PostgreSQL connection budget
# for the services (deploy/k8s: test_connection_budget_fits_max_connections counts these).
POOL_SIZE = 2
POOL_OVERFLOW = 3


class SyncRuntime:
    def __init__(self, settings: Settings, database_url: str | None = None) -> None:
        self.settings = settings
        url = database_url or settings.database_url("gateway")
        pool = {} if is_sqlite(url) else {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
        self.engine: AsyncEngine = create_engine(url, settings, **pool)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self.national = NationalClient(settings)
        self.pusher = Pusher(self.sessionmaker, self.national, settings)
        self.reconciler: asyncio.Task[None] | None = None
        self.scheduler: Scheduler | None = None

    @property
    def enabled(self) -> bool:
        return self.national.enabled

    async def start(self) -> None:
        if not self.enabled:
            return
        await self.pusher.start()
        if self.settings.national_schedule_enabled:
            self.scheduler = Scheduler(
                self.sessionmaker, Clients(self.settings), self.settings, wake=self.pusher.wake.set
            )
            self.scheduler.start()
        if self.settings.national_reconcile_interval_seconds > 0:
            self.reconciler = asyncio.create_task(self._reconcile_loop(), name="national-reconciliation")

    async def _reconcile_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.national_reconcile_interval_seconds)
            try:
                async for session in session_scope(self.sessionmaker):
                    run = await service.reconcile(session, self.national, None, "scheduler")
                if run.differences:
                    log.warning("national reconciliation found %d differences", len(run.differences))
            except Exception:
                log.exception("national reconciliation failed")

    async def stop(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop()
            await self.scheduler.clients.close()
        await self.pusher.stop()
        if self.reconciler is not None:
            self.reconciler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.reconciler
        await self.national.close()
        await self.engine.dispose()
