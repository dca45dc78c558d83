"""Aggregates only: one row per (county, quarter, size class, level after, level before)."""

from typing import Any

from sqlalchemy import and_, extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.assessment.assessment.models import Assessment
from services.assessment.enterprise.models import EnterpriseCopy

FINAL = ("submitted", "signed_off")


def _latest(kind: str, at: Any, statuses: tuple[str, ...]) -> Any:
    return (
        select(Assessment.uscc, func.max(at).label("at"))
        .where(
            Assessment.kind == kind, Assessment.status.in_(statuses), Assessment.superseded_by_id.is_(None)
        )
        .group_by(Assessment.uscc)
        .subquery()
    )


class PerformanceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def acceptances(self, county: str | None) -> list[Any]:
        """Each enterprise once, at its latest signed-off acceptance, with the level of its latest
        diagnosis (0: none); enterprises whose pilot status was revoked do not count."""
        after, before = aliased(Assessment), aliased(Assessment)
        accepted = _latest("acceptance", Assessment.signed_off_at, ("signed_off",))
        diagnosed = _latest("diagnosis", Assessment.submitted_at, FINAL)
        year, month = extract("year", after.signed_off_at), extract("month", after.signed_off_at)
        columns = (
            EnterpriseCopy.county_code,
            year,
            month,
            EnterpriseCopy.size_class,
            after.level,
            func.coalesce(before.level, 0),
        )
        query = (
            select(*columns, func.count())
            .select_from(after)
            .join(accepted, and_(accepted.c.uscc == after.uscc, accepted.c.at == after.signed_off_at))
            .join(EnterpriseCopy, EnterpriseCopy.uscc == after.uscc)
            .outerjoin(diagnosed, diagnosed.c.uscc == after.uscc)
            .outerjoin(
                before,
                and_(
                    before.uscc == diagnosed.c.uscc,
                    before.submitted_at == diagnosed.c.at,
                    before.kind == "diagnosis",
                    before.status.in_(FINAL),
                    before.superseded_by_id.is_(None),
                ),
            )
            .where(
                after.kind == "acceptance",
                after.status == "signed_off",
                after.superseded_by_id.is_(None),
                EnterpriseCopy.pilot_revoked_at.is_(None),
            )
            .group_by(*columns)
        )
        if county is not None:
            query = query.where(EnterpriseCopy.county_code == county)
        return list((await self.session.execute(query)).all())
