"""Aggregates only: counts grouped by county (where one applies) and month."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, extract, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.activity.models import Activity, ActivityStatus
from services.matching.project.models import Engagement, Project, ProjectStatus
from services.matching.provider.models import ROSTERED, Provider
from services.matching.solution.models import Solution, SolutionStatus
from szcore.types import UTCDateTime


def _period(column: Any) -> tuple[Any, Any]:
    return extract("year", column), extract("month", column)


class PerformanceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _rows(self, query: Any) -> list[Any]:
        return list((await self.session.execute(query)).all())

    async def providers(self) -> list[Any]:
        """Providers on the roster, when they were listed (city-wide: a provider serves many counties)."""
        columns = _period(Provider.listed_at)
        query = select(*columns, func.count()).where(
            Provider.status.in_(ROSTERED), Provider.listed_at.is_not(None)
        )
        return await self._rows(query.group_by(*columns))

    async def solutions(self) -> list[Any]:
        columns = _period(Solution.listed_at)
        query = select(*columns, func.count()).where(
            Solution.status == SolutionStatus.listed, Solution.listed_at.is_not(None)
        )
        return await self._rows(query.group_by(*columns))

    async def activities(self, programme: str | None, county: str | None) -> list[Any]:
        columns = (Activity.county_code, *_period(Activity.starts_at), Activity.kind)
        query = select(*columns, func.count()).where(Activity.status == ActivityStatus.held)
        if programme is not None:
            query = query.where(Activity.programme == programme)
        if county is not None:
            query = query.where(Activity.county_code == county)
        return await self._rows(query.group_by(*columns))

    async def contracts(self, county: str | None) -> list[Any]:
        columns = (Engagement.county_code, *_period(Project.signed_on))
        query = (
            select(*columns, func.count())
            .select_from(Project)
            .join(Engagement, Engagement.engagement_id == Project.engagement_id)
            .where(Project.status != ProjectStatus.cancelled)
        )
        return await self._rows(self._county(query, county).group_by(*columns))

    async def completions(self, county: str | None) -> list[Any]:
        columns = (Engagement.county_code, *_period(Project.completed_at))
        query = (
            select(*columns, func.count())
            .select_from(Project)
            .join(Engagement, Engagement.engagement_id == Project.engagement_id)
            .where(Project.status == ProjectStatus.completed, Project.completed_at.is_not(None))
        )
        return await self._rows(self._county(query, county).group_by(*columns))

    async def first_signed(self) -> datetime | None:
        return (await self.session.execute(select(func.min(Project.signed_on)))).scalar_one_or_none()

    async def in_progress(self, moments: Sequence[datetime], county: str | None) -> list[Any]:
        """(number of the moment in `moments`, county, projects): projects signed before that moment, not
        cancelled and not completed by then. One statement for all the moments (quarter ends) rather than
        one each: each was a scan of the projects."""
        if not moments:
            return []
        at = union_all(
            *(
                select(literal(n).label("n"), literal(moment, UTCDateTime()).label("moment"))
                for n, moment in enumerate(moments)
            )
        ).subquery("moments")
        query = (
            select(at.c.n, Engagement.county_code, func.count())
            .select_from(Project)
            .join(Engagement, Engagement.engagement_id == Project.engagement_id)
            .join(
                at,
                and_(
                    Project.signed_on < at.c.moment,
                    or_(Project.completed_at.is_(None), Project.completed_at >= at.c.moment),
                ),
            )
            .where(Project.status != ProjectStatus.cancelled)
        )
        query = self._county(query, county).group_by(at.c.n, Engagement.county_code)
        return await self._rows(query.order_by(at.c.n, Engagement.county_code))

    @staticmethod
    def _county(query: Any, county: str | None) -> Any:
        return query if county is None else query.where(Engagement.county_code == county)
