"""Aggregates only: every query groups in SQL and returns one row per (county, period, class)."""

from typing import Any

from sqlalchemy import extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.application.models import Application
from services.enrollment.application.workflow import Status
from services.enrollment.designation.models import Designation, DesignationKind
from services.enrollment.enterprise.models import Enterprise

CASE_KINDS = {
    "chain_cases": (DesignationKind.chain_leader, DesignationKind.chain_member),
    "cluster_cases": (DesignationKind.cluster_member,),
}


class PerformanceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def admissions(self, programme: str | None, county: str | None) -> list[Any]:
        year, month = extract("year", Application.admitted_at), extract("month", Application.admitted_at)
        columns = (
            Application.county_code,
            year,
            month,
            Enterprise.size_class,
            Enterprise.srdi_status,
            Enterprise.cloud_adopted,
        )
        query = (
            select(*columns, func.count())
            .join(Enterprise, Enterprise.uscc == Application.uscc)
            .where(Application.status == Status.admitted, Application.admitted_at.is_not(None))
            .group_by(*columns)
        )
        if programme is not None:
            query = query.where(Application.programme_id == programme)
        if county is not None:
            query = query.where(Application.county_code == county)
        return list((await self.session.execute(query)).all())

    async def designations(self, programme: str | None, county: str | None) -> list[Any]:
        year, month = extract("year", Designation.awarded_on), extract("month", Designation.awarded_on)
        columns = (Enterprise.county_code, year, month, Designation.kind)
        query = (
            select(*columns, func.count())
            .join(Enterprise, Enterprise.uscc == Designation.uscc)
            .group_by(*columns)
        )
        return list((await self.session.execute(self._scoped(query, programme, county))).all())

    async def cases(self, metric: str, programme: str | None, county: str | None) -> list[Any]:
        """One case (链式/集群式) counts once, when and where its first designation was awarded (the
        lowest county code when it spans counties on that day)."""
        case = func.coalesce(func.nullif(Designation.case_id, ""), Designation.id)
        first = (
            select(
                case.label("case"),
                func.min(Designation.awarded_on).label("awarded_on"),
                func.min(Enterprise.county_code).label("county_code"),
            )
            .join(Enterprise, Enterprise.uscc == Designation.uscc)
            .where(Designation.kind.in_(CASE_KINDS[metric]))
            .group_by(case)
        )
        first = self._scoped(first, programme, county).subquery()
        year, month = extract("year", first.c.awarded_on), extract("month", first.c.awarded_on)
        query = select(first.c.county_code, year, month, func.count()).group_by(
            first.c.county_code, year, month
        )
        return list((await self.session.execute(query)).all())

    @staticmethod
    def _scoped(query: Any, programme: str | None, county: str | None) -> Any:
        if programme is not None:
            query = query.where(Enterprise.programme_id == programme)
        if county is not None:
            query = query.where(Enterprise.county_code == county)
        return query
