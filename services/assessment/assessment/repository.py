from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.assessment.models import Assessment, EngagementCopy, ProjectCopy
from szcore.keyset import Order

# Sorts of the assessment list; each ends with the id (unique). Not yet scored sorts last (-1).
ORDERS = {
    "newest": Order("newest", (Assessment.created_at, Assessment.id), descending=True),
    "oldest": Order("oldest", (Assessment.created_at, Assessment.id)),
    "level_highest": Order(
        "level_highest",
        (func.coalesce(Assessment.level, -1), Assessment.id),
        descending=True,
        row_key=lambda a: (-1 if a.level is None else a.level, a.id),
    ),
    "score_highest": Order(
        "score_highest",
        (func.coalesce(Assessment.base_score_milli, -1), Assessment.id),
        descending=True,
        row_key=lambda a: (-1 if a.base_score_milli is None else a.base_score_milli, a.id),
    ),
}


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
        self, *, order: Order, after: list[Any] | None, limit: int, **filters: object
    ) -> tuple[Sequence[Assessment], int]:
        query = self._filtered(**filters)  # type: ignore[arg-type]
        total = (await self.session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
        if after is not None:
            query = query.where(order.after(after))
        query = query.order_by(*order.order_by()).limit(limit)
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
        """Enterprises with an engagement of this provider that is still open (not cancelled, closed,
        nor ended by its completed project)."""
        query = (
            select(EngagementCopy.uscc)
            .where(EngagementCopy.provider_id == provider_id, EngagementCopy.cancelled_at.is_(None))
            .distinct()
        )
        return (await self.session.execute(query)).scalars().all()

    async def upsert_engagement(self, engagement: EngagementCopy) -> None:
        await self.session.merge(engagement)
        await self.session.flush()

    async def close_engagements(self, uscc: str, provider_id: str, at: datetime) -> None:
        """End every still-open engagement of this provider with this enterprise (a redelivery finds none)."""
        await self.session.execute(
            update(EngagementCopy)
            .where(
                EngagementCopy.uscc == uscc,
                EngagementCopy.provider_id == provider_id,
                EngagementCopy.cancelled_at.is_(None),
            )
            .values(cancelled_at=at)
        )

    async def upsert_project(self, project: ProjectCopy) -> None:
        await self.session.merge(project)
        await self.session.flush()

    async def projects_awaiting(self, usccs: Sequence[str] | None) -> Sequence[ProjectCopy]:
        query = select(ProjectCopy).order_by(ProjectCopy.completed_at, ProjectCopy.project_id)
        if usccs is not None:
            query = query.where(ProjectCopy.uscc.in_(usccs))
        return (await self.session.execute(query)).scalars().all()
