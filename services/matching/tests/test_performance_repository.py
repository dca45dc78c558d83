"""`PerformanceRepository.in_progress`: all quarter ends in one statement, each counted as the one statement
per quarter end it replaced counted it (signed before the end, not cancelled, not completed by then)."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.performance.repository import PerformanceRepository
from services.matching.project.models import Engagement, Project, ProjectStatus

A, B = "990201", "990202"


def at(month: int, day: int = 1, hour: int = 0) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=UTC)


ENDS = [at(1), at(4), at(7), at(10)]
# project, county, signed, status, completed
PROJECTS = [
    ("p1", A, at(3, 31, 23), "active", None),  # in progress from the end of Q1 on
    ("p2", A, at(4), "active", None),  # signed at the instant a quarter ends: not before it
    ("p3", B, at(2), "completed", at(7)),  # completed at an end: still in progress then
    ("p4", B, at(2), "completed", at(6, 30)),
    ("p5", A, at(2), "cancelled", None),
    ("p6", B, at(1, 1, 1), "suspended", None),
]


async def seed(session: AsyncSession) -> None:
    for project_id, county, signed, status, completed in PROJECTS:
        session.add(
            Engagement(
                engagement_id=f"perf-{project_id}",
                uscc=f"91990200PERF{project_id:>05}"[:18],
                county_code=county,
                provider_id="perf-provider",
                kind="transformation",
                solution_ids=[],
                status="open",
                created_by="t",
                created_at=signed,
            )
        )
        session.add(
            Project(
                project_id=f"perf-{project_id}",
                engagement_id=f"perf-{project_id}",
                uscc=f"91990200PERF{project_id:>05}"[:18],
                provider_id="perf-provider",
                contract_id=f"perf-k-{project_id}",
                amount_fen=100_000,
                lines=[],
                signed_on=signed,
                starts_on=signed,
                ends_on=at(12),
                attachments=[],
                status=status,
                progress_percent=0,
                completed_at=completed,
            )
        )
    await session.flush()


async def one_by_one(session: AsyncSession, moment: datetime, county: str | None) -> list[Any]:
    """The statement per quarter end that `in_progress` replaced, verbatim."""
    query = (
        select(Engagement.county_code, func.count())
        .select_from(Project)
        .join(Engagement, Engagement.engagement_id == Project.engagement_id)
        .where(
            Project.status != ProjectStatus.cancelled,
            Project.signed_on < moment,
            or_(Project.completed_at.is_(None), Project.completed_at >= moment),
        )
    )
    if county is not None:
        query = query.where(Engagement.county_code == county)
    return list((await session.execute(query.group_by(Engagement.county_code))).all())


async def test_projects_in_progress_at_each_quarter_end(session: AsyncSession) -> None:
    await seed(session)
    rows = await PerformanceRepository(session).in_progress(ENDS, None)
    mine = [(int(n), c, int(k)) for n, c, k in rows if c in (A, B)]
    assert mine == [(1, A, 1), (1, B, 3), (2, A, 2), (2, B, 2), (3, A, 2), (3, B, 1)]
    assert await PerformanceRepository(session).in_progress([], None) == []


async def test_same_counts_as_one_statement_per_quarter_end(session: AsyncSession) -> None:
    await seed(session)
    for county in (A, B, None):
        rows = await PerformanceRepository(session).in_progress(ENDS, county)
        together = sorted((int(n), c, int(k)) for n, c, k in rows)
        apart = []
        for n, end in enumerate(ENDS):
            apart += [(n, c, int(k)) for c, k in await one_by_one(session, end, county)]
        assert together == sorted(apart)
