"""Funding's own Prometheus series: what each budget source still has available, read from the ledger
when Prometheus scrapes /metrics (balances are derived from the entries, never stored)."""

import logging

from fastapi import FastAPI
from prometheus_client import Gauge, Histogram
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from services.funding.ledger.chain import AccountKind
from services.funding.ledger.repository import LedgerRepository

log = logging.getLogger(__name__)
SOURCE_AVAILABLE = Gauge(
    "sz_funding_source_available_fen", "Money available in a budget source (fen)", ["source"]
)

APPROVAL_BATCH = Histogram(
    "sz_funding_approval_batch_size",
    "Claim approvals decided in one transaction (those queued while the previous batch was decided)",
    buckets=(1, 2, 4, 8, 16, 32, 64),
)


async def refresh(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Sources without a ledger entry yet (never allocated) are left out, so they raise no alert."""
    async with sessionmaker() as session:
        balances = await LedgerRepository(session).balances()
    for source_id, per_kind in balances.items():
        SOURCE_AVAILABLE.labels(source_id).set(per_kind.get(AccountKind.available.value, 0))


class RefreshOnScrape:
    """Plain ASGI (not `@app.middleware("http")`, whose streams and task group every request would pay
    for, to act on /metrics alone)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path") == "/metrics":
            try:
                await refresh(scope["app"].state.runtime.sessionmaker)
            except Exception as exc:  # the other series still matter while the database is away
                log.warning("budget gauge not refreshed", extra={"error": str(exc)})
        await self.app(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_middleware(RefreshOnScrape)
