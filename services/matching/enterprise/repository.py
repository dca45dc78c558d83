from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.enterprise.models import EnterpriseCopy


class EnterpriseCopyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # Set by `preload` for a batch of events: the copies by uscc (None: known absent), and no flush
        # per upsert, so that the batch is one SELECT and one flush (multi-row INSERT/UPDATE).
        self.known: dict[str, EnterpriseCopy | None] | None = None

    async def preload(self, usccs: Sequence[str]) -> None:
        keys = sorted(set(usccs))
        self.known = dict.fromkeys(keys)
        query = select(EnterpriseCopy).where(EnterpriseCopy.uscc.in_(keys))
        for copy in (await self.session.execute(query)).scalars():
            self.known[copy.uscc] = copy

    async def get(self, uscc: str) -> EnterpriseCopy | None:
        if self.known is not None and uscc in self.known:
            return self.known[uscc]
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

    async def upsert(self, uscc: str, values: dict[str, Any]) -> EnterpriseCopy:
        copy = await self.get(uscc)
        if copy is None:
            copy = EnterpriseCopy(uscc=uscc, **values)
            self.session.add(copy)
            if self.known is not None:
                self.known[uscc] = copy
        else:
            for key, value in values.items():
                setattr(copy, key, value)
        if self.known is None:
            await self.session.flush()
        return copy
