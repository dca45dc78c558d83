from collections.abc import Sequence

from sqlalchemy import case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.enterprise.models import EnterpriseCopy
from szcore.readcopy import Upsert

# The writes enrollment's events make to the copy; an existing copy takes only the listed columns (the
# registration only its date: an update that overtook it has the newer values; open_engagements is ours).
REGISTER = Upsert(EnterpriseCopy, update=("registered_at",))
UPDATE = Upsert(EnterpriseCopy, update=("name", "county_code", "industry_code", "size_class"))


class EnterpriseCopyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, uscc: str) -> EnterpriseCopy | None:
        return await self.session.get(EnterpriseCopy, uscc)

    async def count_engagements(self, uscc: str, delta: int) -> None:
        """In SQL, not read-modify-write: engagements of one enterprise with different providers open and
        close at once (each holds only its provider's lock), and a Python `+=` lost their counts."""
        column = EnterpriseCopy.open_engagements
        await self.session.execute(
            update(EnterpriseCopy)
            .where(EnterpriseCopy.uscc == uscc)
            .values(open_engagements=case((column + delta < 0, 0), else_=column + delta))
        )

    async def list_by_uscc(self, usccs: Sequence[str], county_code: str | None) -> Sequence[EnterpriseCopy]:
        query = select(EnterpriseCopy).where(EnterpriseCopy.uscc.in_(usccs)).order_by(EnterpriseCopy.uscc)
        if county_code is not None:
            query = query.where(EnterpriseCopy.county_code == county_code)
        return (await self.session.execute(query)).scalars().all()

    async def in_counties(self, counties: Sequence[str]) -> Sequence[EnterpriseCopy]:
        if not counties:
            return []
        query = (
            select(EnterpriseCopy)
            .where(EnterpriseCopy.county_code.in_(counties))
            .order_by(EnterpriseCopy.uscc)
        )
        return (await self.session.execute(query)).scalars().all()
