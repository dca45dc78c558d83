from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.expert.models import Expert, ExpertDraw, ExpertLink
from szcore.keyset import Order, read_page

# Sorts of the active pool; each ends with the expert id (unique). "id" is the unpaginated list's order.
EXPERT_ORDERS = {
    "id": Order("id", (Expert.id,)),
    "name": Order("name", (Expert.name, Expert.id)),
    "added_newest": Order("added_newest", (Expert.created_at, Expert.id), descending=True),
}


class ExpertRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, expert_id: str) -> Expert | None:
        return await self.session.get(Expert, expert_id)

    async def active(self) -> Sequence[Expert]:
        query = select(Expert).where(Expert.active.is_(True)).order_by(Expert.id)
        return (await self.session.execute(query)).scalars().all()

    async def active_page(
        self, order: Order, cursor: str | None, limit: int
    ) -> tuple[list[Expert], int, str | None]:
        return await read_page(
            self.session, select(Expert).where(Expert.active.is_(True)), order, cursor, limit
        )

    async def links(self, expert_ids: Sequence[str] | None = None) -> Sequence[ExpertLink]:
        query = select(ExpertLink).order_by(ExpertLink.id)
        if expert_ids is not None:
            query = query.where(ExpertLink.expert_id.in_(expert_ids))
        return (await self.session.execute(query)).scalars().all()

    async def link(self, expert_id: str, party_id: str) -> ExpertLink | None:
        query = select(ExpertLink).where(ExpertLink.expert_id == expert_id, ExpertLink.party_id == party_id)
        return (await self.session.execute(query)).scalars().first()

    async def recent_reviewers(self, uscc: str, since: datetime) -> set[str]:
        query = select(ExpertDraw.selected).where(ExpertDraw.uscc == uscc, ExpertDraw.drawn_at >= since)
        return {expert for selected in (await self.session.execute(query)).scalars() for expert in selected}

    async def draws_for(self, application_id: str) -> Sequence[ExpertDraw]:
        query = (
            select(ExpertDraw)
            .where(ExpertDraw.application_id == application_id)
            .order_by(ExpertDraw.drawn_at)
        )
        return (await self.session.execute(query)).scalars().all()

    async def draw(self, draw_id: str) -> ExpertDraw | None:
        return await self.session.get(ExpertDraw, draw_id)

    async def add(self, *rows: object) -> None:
        self.session.add_all(rows)
        await self.session.flush()
