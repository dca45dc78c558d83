from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.assessment.models import Assessment
from services.assessment.revisit.models import AdmissionCopy, Revisit, RevisitDraw
from szcore.keyset import Order, read_page

# Sorts of the draws; each ends with the draw id (unique). One direction per order, so draws drawn at the
# same instant come in descending id order on a page (the unpaginated list has them ascending).
DRAW_ORDERS = {
    "newest": Order("newest", (RevisitDraw.drawn_at, RevisitDraw.id), descending=True),
    "oldest": Order("oldest", (RevisitDraw.drawn_at, RevisitDraw.id)),
}


class RevisitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def accepted(self, batch_id: str | None, county_code: str | None) -> list[tuple[str, str]]:
        """(uscc, county) of enterprises with a signed-off acceptance evaluation."""
        query = (
            select(Assessment.uscc, Assessment.county_code)
            .where(Assessment.kind == "acceptance", Assessment.status == "signed_off")
            .distinct()
        )
        if county_code is not None:
            query = query.where(Assessment.county_code == county_code)
        if batch_id is not None:
            query = query.join(AdmissionCopy, AdmissionCopy.uscc == Assessment.uscc).where(
                AdmissionCopy.batch_id == batch_id
            )
        return [(row[0], row[1]) for row in (await self.session.execute(query)).all()]

    async def add(self, *items: RevisitDraw | Revisit) -> None:
        self.session.add_all(items)
        await self.session.flush()

    async def draw(self, draw_id: str) -> RevisitDraw | None:
        return await self.session.get(RevisitDraw, draw_id)

    async def draws(self) -> Sequence[RevisitDraw]:
        query = select(RevisitDraw).order_by(RevisitDraw.drawn_at.desc(), RevisitDraw.id)
        return (await self.session.execute(query)).scalars().all()

    async def draw_page(
        self, order: Order, cursor: str | None, limit: int
    ) -> tuple[list[RevisitDraw], int, str | None]:
        return await read_page(self.session, select(RevisitDraw), order, cursor, limit)

    async def revisits(self, draw_id: str, county_code: str | None) -> Sequence[Revisit]:
        query = select(Revisit).where(Revisit.draw_id == draw_id).order_by(Revisit.uscc)
        if county_code is not None:
            query = query.where(Revisit.county_code == county_code)
        return (await self.session.execute(query)).scalars().all()

    async def revisit(self, revisit_id: str) -> Revisit | None:
        return await self.session.get(Revisit, revisit_id)

    async def upsert_admission(self, admission: AdmissionCopy) -> None:
        await self.session.merge(admission)
        await self.session.flush()
