from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.assessment.models import Assessment, EngagementCopy, ProjectCopy


class AssessmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, assessment_id: str) -> Assessment | None:
        return await self.session.get(Assessment, assessment_id)

    async def lock(self, assessment_id: str) -> Assessment | None:
        """Re-reads the row under a lock: of two concurrent transitions the second sees the first's result."""
        return await self.session.get(Assessment, assessment_id, with_for_update=True, populate_existing=True)

    async def add(self, assessment: Assessment) -> Assessment:
        self.session.add(assessment)
        await self.session.flush()
        return assessment

    def _filtered(
        self,
        *,
        uscc: str | None,
        kind: str | None,
        status: str | None,
        county_code: str | None,
        visible_usccs: Sequence[str] | None,
        assessor_id: str | None,
        usccs: Sequence[str] | None = None,
    ) -> Select[tuple[Assessment]]:
        query = select(Assessment)
        if uscc:
            query = query.where(Assessment.uscc == uscc)
        if usccs is not None:
            query = query.where(Assessment.uscc.in_(usccs))
        if kind:
            query = query.where(Assessment.kind == kind)
        if status:
            query = query.where(Assessment.status == status)
        if county_code is not None:
            query = query.where(Assessment.county_code == county_code)
        if visible_usccs is not None:
            scope = Assessment.uscc.in_(visible_usccs)
            query = query.where(or_(scope, Assessment.assessor_id == assessor_id) if assessor_id else scope)
        return query

    async def page(
        self, *, after: tuple[datetime, str] | None, limit: int, **filters: object
    ) -> tuple[Sequence[Assessment], int]:
        query = self._filtered(**filters)  # type: ignore[arg-type]
        total = (await self.session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
        if after is not None:
            created_at, assessment_id = after
            query = query.where(
                or_(
                    Assessment.created_at < created_at,
                    and_(Assessment.created_at == created_at, Assessment.id < assessment_id),
                )
            )
        query = query.order_by(Assessment.created_at.desc(), Assessment.id.desc()).limit(limit)
        return (await self.session.execute(query)).scalars().all(), total

    async def of_usccs(self, usccs: Sequence[str], **filters: object) -> Sequence[Assessment]:
        """Every assessment of the given enterprises (one query, `IN`), newest first, within the caller's
        scope (the same filters as `page`)."""
        query = self._filtered(uscc=None, kind=None, status=None, usccs=usccs, **filters)  # type: ignore[arg-type]
        query = query.order_by(Assessment.created_at.desc(), Assessment.id.desc())
        return (await self.session.execute(query)).scalars().all()

    async def latest(self, uscc: str, kind: str, statuses: Sequence[str]) -> Assessment | None:
        query = (
            select(Assessment)
            .where(
                Assessment.uscc == uscc,
                Assessment.kind == kind,
                Assessment.status.in_(statuses),
                Assessment.superseded_by_id.is_(None),
            )
            .order_by(Assessment.submitted_at.desc(), Assessment.id.desc())
            .limit(1)
        )
        return (await self.session.execute(query)).scalars().first()

    async def acceptances_of(self, project_ids: Sequence[str]) -> dict[str, Assessment]:
        """project → its current (not corrected) acceptance evaluation, drafts included."""
        query = (
            select(Assessment)
            .where(
                Assessment.kind == "acceptance",
                Assessment.project_id.in_(project_ids),
                Assessment.superseded_by_id.is_(None),
            )
            .order_by(Assessment.created_at.desc(), Assessment.id.desc())
        )
        found: dict[str, Assessment] = {}
        for assessment in (await self.session.execute(query)).scalars().all():
            found.setdefault(assessment.project_id or "", assessment)
        return found


class CopyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def engagement(self, engagement_id: str) -> EngagementCopy | None:
        return await self.session.get(EngagementCopy, engagement_id)

    async def project(self, project_id: str) -> ProjectCopy | None:
        return await self.session.get(ProjectCopy, project_id)

    async def engaged_usccs(self, provider_id: str) -> Sequence[str]:
        """Enterprises with an engagement of this provider that was not cancelled. A completed project
        keeps it: the provider's report and acceptance remain its business (tests/test_reports.py)."""
        query = (
            select(EngagementCopy.uscc)
            .where(EngagementCopy.provider_id == provider_id, EngagementCopy.cancelled_at.is_(None))
            .distinct()
        )
        return (await self.session.execute(query)).scalars().all()

    async def upsert_engagement(self, engagement: EngagementCopy) -> None:
        await self.session.merge(engagement)
        await self.session.flush()

    async def upsert_project(self, project: ProjectCopy) -> None:
        await self.session.merge(project)
        await self.session.flush()

    async def projects_awaiting(self, usccs: Sequence[str] | None) -> Sequence[ProjectCopy]:
        query = select(ProjectCopy).order_by(ProjectCopy.completed_at, ProjectCopy.project_id)
        if usccs is not None:
            query = query.where(ProjectCopy.uscc.in_(usccs))
        return (await self.session.execute(query)).scalars().all()
