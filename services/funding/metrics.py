"""Funding's own Prometheus series: what each budget source still has available, read from the ledger
when Prometheus scrapes /metrics (balances are derived from the entries, never stored)."""

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import Gauge
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.funding.ledger.chain import AccountKind
from services.funding.ledger.repository import LedgerRepository

log = logging.getLogger(__name__)
SOURCE_AVAILABLE = Gauge(
    "sz_funding_source_available_fen", "Money available in a budget source (fen)", ["source"]
)


async def refresh(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Sources without a ledger entry yet (never allocated) are left out, so they raise no alert."""
    async with sessionmaker() as session:
        balances = await LedgerRepository(session).balances()
    for source_id, per_kind in balances.items():
        SOURCE_AVAILABLE.labels(source_id).set(per_kind.get(AccountKind.available.value, 0))


def install(app: FastAPI) -> None:
    @app.middleware("http")
    async def refresh_on_scrape(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.url.path == "/metrics":
            try:
                await refresh(request.app.state.runtime.sessionmaker)
            except Exception as exc:  # the other series still matter while the database is away
                log.warning("budget gauge not refreshed", extra={"error": str(exc)})
        return await call_next(request)
