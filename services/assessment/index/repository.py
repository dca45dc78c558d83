from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.index.models import IndexVersion


class IndexVersionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, code: str) -> IndexVersion | None:
        return await self.session.get(IndexVersion, code)

    async def list(self) -> Sequence[IndexVersion]:
        return (await self.session.execute(select(IndexVersion).order_by(IndexVersion.code))).scalars().all()

    async def add(self, version: IndexVersion) -> IndexVersion:
        self.session.add(version)
        await self.session.flush()
        return version
