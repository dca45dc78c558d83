from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.project.models import Engagement, EngagementStatus, Milestone, Plan, Project
from szcore.keyset import Order, read_page

# Sorts of the engagement list; each ends with the engagement id (unique).
ENGAGEMENT_ORDERS = {
    "id": Order("id", (Engagement.engagement_id,)),
    "created_newest": Order(
        "created_newest", (Engagement.created_at, Engagement.engagement_id), descending=True
    ),
    "created_oldest": Order("created_oldest", (Engagement.created_at, Engagement.engagement_id)),
}


class ProjectRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: object) -> None:
        self.session.add(row)
        await self.session.flush()

    async def get_engagement(self, engagement_id: str, *, for_update: bool = False) -> Engagement | None:
        return await self.session.get(Engagement, engagement_id, with_for_update=for_update)

    async def open_engagement(
        self, uscc: str, provider_id: str, kind: str | None = None
    ) -> Engagement | None:
        query = select(Engagement).where(
            Engagement.uscc == uscc,
            Engagement.provider_id == provider_id,
            Engagement.status == EngagementStatus.open,
        )
        if kind is not None:
            query = query.where(Engagement.kind == kind)
        return (await self.session.execute(query.limit(1))).scalar_one_or_none()

    @staticmethod
    def _filtered(
        uscc: str | None, provider_id: str | None, county_code: str | None, status: str | None
    ) -> Select[tuple[Engagement]]:
        query = select(Engagement)
        for column, value in (
            (Engagement.uscc, uscc),
            (Engagement.provider_id, provider_id),
            (Engagement.county_code, county_code),
            (Engagement.status, status),
        ):
            if value is not None:
                query = query.where(column == value)
        return query

    async def page(
        self,
        *,
        uscc: str | None,
        provider_id: str | None,
        county_code: str | None,
        status: str | None,
        order: Order,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Engagement], int, str | None]:
        query = self._filtered(uscc, provider_id, county_code, status)
        return await read_page(self.session, query, order, cursor, limit)

    async def of_usccs(
        self, usccs: Sequence[str], *, provider_id: str | None, county_code: str | None
    ) -> Sequence[Engagement]:
        """Every engagement of the given enterprises (one query, `IN`), within the caller's scope."""
        query = self._filtered(None, provider_id, county_code, None).where(Engagement.uscc.in_(usccs))
        return (
            (await self.session.execute(query.order_by(Engagement.uscc, Engagement.engagement_id)))
            .scalars()
            .all()
        )

    async def of_providers(
        self, provider_ids: Sequence[str], *, uscc: str | None, county_code: str | None
    ) -> Sequence[Engagement]:
        """Every engagement of the given providers (one query, `IN`), within the caller's scope."""
        query = self._filtered(uscc, None, county_code, None).where(Engagement.provider_id.in_(provider_ids))
        query = query.order_by(Engagement.provider_id, Engagement.engagement_id)
        return (await self.session.execute(query)).scalars().all()

    async def plan_of(self, engagement_id: str) -> Plan | None:
        return (
            await self.session.execute(select(Plan).where(Plan.engagement_id == engagement_id))
        ).scalar_one_or_none()

    async def project_of(self, engagement_id: str) -> Project | None:
        return (
            await self.session.execute(select(Project).where(Project.engagement_id == engagement_id))
        ).scalar_one_or_none()

    async def get_project(self, project_id: str, *, for_update: bool = False) -> Project | None:
        return await self.session.get(Project, project_id, with_for_update=for_update)

    async def milestones(self, project_id: str) -> Sequence[Milestone]:
        query = (
            select(Milestone)
            .where(Milestone.project_id == project_id)
            .order_by(Milestone.reported_at, Milestone.milestone_id)
        )
        return (await self.session.execute(query)).scalars().all()

    async def get_milestone(self, milestone_id: str) -> Milestone | None:
        return await self.session.get(Milestone, milestone_id)

    async def projects_completed_between(
        self, provider_id: str, start: datetime, end: datetime
    ) -> Sequence[Project]:
        query = select(Project).where(
            Project.provider_id == provider_id, Project.completed_at >= start, Project.completed_at < end
        )
        return (await self.session.execute(query)).scalars().all()

    async def engagement_ids_of(self, provider_id: str) -> list[str]:
        query = select(Engagement.engagement_id).where(Engagement.provider_id == provider_id)
        return list((await self.session.execute(query)).scalars())

    async def engaged_usccs(self, provider_id: str) -> set[str]:
        query = select(Engagement.uscc).where(
            Engagement.provider_id == provider_id, Engagement.status == EngagementStatus.open
        )
        return set((await self.session.execute(query)).scalars())

    async def used_solution_engagements(self, uscc: str) -> Sequence[Engagement]:
        return (await self.session.execute(select(Engagement).where(Engagement.uscc == uscc))).scalars().all()
