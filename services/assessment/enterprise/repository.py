from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.enterprise.models import EnterpriseCopy
from szcore.readcopy import Upsert

# The writes events make to the copy; an existing copy takes only the listed columns.
REGISTER = Upsert(
    EnterpriseCopy,
    update=("name", "county_code", "industry_code", "size_class", "registered_at", "copied_at"),
)
UPDATE = Upsert(EnterpriseCopy, update=("name", "county_code", "industry_code", "size_class", "copied_at"))


class EnterpriseCopyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, uscc: str) -> EnterpriseCopy | None:
        return await self.session.get(EnterpriseCopy, uscc)

    async def list_by_uscc(self, usccs: Sequence[str], county_code: str | None) -> Sequence[EnterpriseCopy]:
        query = select(EnterpriseCopy).where(EnterpriseCopy.uscc.in_(usccs)).order_by(EnterpriseCopy.uscc)
        if county_code is not None:
            query = query.where(EnterpriseCopy.county_code == county_code)
        return (await self.session.execute(query)).scalars().all()

    async def in_county(self, county_code: str) -> Sequence[EnterpriseCopy]:
        query = select(EnterpriseCopy).where(EnterpriseCopy.county_code == county_code)
        return (await self.session.execute(query)).scalars().all()

    async def upsert(self, uscc: str, values: dict[str, Any]) -> EnterpriseCopy:
        copy = await self.get(uscc)
        if copy is None:
            copy = EnterpriseCopy(uscc=uscc, **values)
            self.session.add(copy)
        else:
            for key, value in values.items():
                setattr(copy, key, value)
        await self.session.flush()
        return copy
