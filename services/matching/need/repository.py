from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.need.models import Need, NeedStatus
from szcore.keyset import Order, read_page

# Sorts of an enterprise's needs; each ends with the need id (unique). "scenario" is the old list's order.
NEED_ORDERS = {
    "scenario": Order("scenario", (Need.scenario_code, Need.need_id)),
    "created_newest": Order("created_newest", (Need.created_at, Need.need_id), descending=True),
}


class NeedRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, need_id: str) -> Need | None:
        return await self.session.get(Need, need_id)

    async def add(self, need: Need) -> Need:
        self.session.add(need)
        await self.session.flush()
        return need

    async def of(self, uscc: str, *, open_only: bool = False, source: str | None = None) -> Sequence[Need]:
        query = select(Need).where(Need.uscc == uscc).order_by(Need.scenario_code, Need.need_id)
        if open_only:
            query = query.where(Need.status == NeedStatus.open)
        if source is not None:
            query = query.where(Need.source == source)
        return (await self.session.execute(query)).scalars().all()

    async def page(
        self, uscc: str, order: Order, cursor: str | None, limit: int
    ) -> tuple[list[Need], int, str | None]:
        return await read_page(self.session, select(Need).where(Need.uscc == uscc), order, cursor, limit)

    async def of_many(self, usccs: Sequence[str]) -> Sequence[Need]:
        if not usccs:
            return []
        query = select(Need).where(Need.uscc.in_(usccs)).order_by(Need.uscc, Need.scenario_code, Need.need_id)
        return (await self.session.execute(query)).scalars().all()

    async def open_of_many(self, usccs: Sequence[str]) -> Sequence[Need]:
        if not usccs:
            return []
        query = select(Need).where(Need.uscc.in_(usccs), Need.status == NeedStatus.open)
        return (await self.session.execute(query)).scalars().all()
