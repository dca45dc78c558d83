from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.enterprise.models import Enterprise


class EnterpriseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, uscc: str) -> Enterprise | None:
        return await self.session.get(Enterprise, uscc)

    async def list_by_uscc(
        self, usccs: Sequence[str], county_code: str | None = None
    ) -> Sequence[Enterprise]:
        query = select(Enterprise).where(Enterprise.uscc.in_(usccs)).order_by(Enterprise.uscc)
        if county_code is not None:
            query = query.where(Enterprise.county_code == county_code)
        return (await self.session.execute(query)).scalars().all()

    async def add(self, enterprise: Enterprise) -> Enterprise:
        self.session.add(enterprise)
        await self.session.flush()
        return enterprise
