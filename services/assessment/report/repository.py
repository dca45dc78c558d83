from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.assessment.models import Assessment
from services.assessment.enterprise.models import EnterpriseCopy


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enterprises(self, county_code: str | None) -> Sequence[EnterpriseCopy]:
        query = select(EnterpriseCopy).order_by(EnterpriseCopy.uscc)
        if county_code is not None:
            query = query.where(EnterpriseCopy.county_code == county_code)
        return (await self.session.execute(query)).scalars().all()

    async def latest_levels(self, kind: str, status: str, county_code: str | None) -> dict[str, int]:
        """uscc → level of its newest current (not corrected) assessment of that kind and status."""
        query = (
            select(Assessment.uscc, Assessment.level)
            .where(
                Assessment.kind == kind, Assessment.status == status, Assessment.superseded_by_id.is_(None)
            )
            .order_by(Assessment.uscc, Assessment.submitted_at.desc(), Assessment.id.desc())
        )
        if county_code is not None:
            query = query.where(Assessment.county_code == county_code)
        levels: dict[str, int] = {}
        for uscc, level in (await self.session.execute(query)).all():
            levels.setdefault(uscc, level or 0)
        return levels
