from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.timeline.models import ProviderEngagement, TimelineEntry


class TimelineRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_once(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert those not already there (redeliveries and replays are no-ops)."""
        dialect = self.session.bind.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(TimelineEntry.__table__).on_conflict_do_nothing(index_elements=["event_id"])
        await self.session.execute(statement, list(rows))

    async def add_engagement(self, uscc: str, provider_id: str, engagement_id: str) -> None:
        dialect = self.session.bind.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(ProviderEngagement)
            .values(uscc=uscc, provider_id=provider_id, engagement_id=engagement_id)
            .on_conflict_do_nothing()
        )
        await self.session.execute(statement)

    async def end_engagement(self, uscc: str, provider_id: str, engagement_id: str | None) -> None:
        """The engagement is over (cancelled, closed): the reading right it gave ends; another open engagement
        of the same provider keeps its own. None (a completed project, which names no engagement): all end."""
        query = delete(ProviderEngagement).where(
            ProviderEngagement.uscc == uscc, ProviderEngagement.provider_id == provider_id
        )
        if engagement_id:
            query = query.where(ProviderEngagement.engagement_id.in_([engagement_id, ""]))
        await self.session.execute(query)

    async def for_enterprise(self, uscc: str, limit: int) -> Sequence[TimelineEntry]:
        query = (
            select(TimelineEntry)
            .where(TimelineEntry.uscc == uscc)
            .order_by(TimelineEntry.occurred_at.desc(), TimelineEntry.id.desc())
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()
