"""`PerformanceRepository.acceptances`: which acceptance and diagnosis count as an enterprise's latest, on
rows chosen for the edge cases, checked by hand and against the `max()` join the query replaced."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.assessment.assessment.models import Assessment
from services.assessment.enterprise.models import EnterpriseCopy
from services.assessment.performance.repository import FINAL, PerformanceRepository

COUNTY, OTHER = "990101", "990102"
T = datetime(2025, 3, 1, tzinfo=UTC)


def uscc(n: int) -> str:
    return f"91990100PERF{n:05d}X"[:18]


def row(
    n: int, kind: str, level: int | None, at: datetime | None, status: str = "signed_off", **extra: Any
) -> Assessment:
    return Assessment(
        id=extra.pop("id", str(uuid.uuid4())),
        uscc=uscc(n),
        county_code=COUNTY,
        kind=kind,
        status=status,
        index_code="miit-2024",
        created_by="t",
        assessor_role="evaluator",
        assessor_id="org-1",
        answers={},
        scenario_levels={},
        evidence={},
        pain_points=[],
        needed_scenarios=[],
        level=level,
        created_at=T,
        updated_at=T,
        submitted_at=at,
        signed_off_at=at if status == "signed_off" else None,
        **extra,
    )


def day(month: int, d: int = 1, hour: int = 0) -> datetime:
    return datetime(2025, month, d, hour, tzinfo=UTC)


async def seed(session: AsyncSession, ties: bool = True) -> None:
    for n in (1, 2, 3, 4, 5, 6, 7, 9):
        session.add(
            EnterpriseCopy(
                uscc=uscc(n),
                name=f"e{n}",
                county_code=OTHER if n == 9 else COUNTY,
                industry_code="C3465",
                size_class="below_scale" if n % 2 else "above_scale",
                registered_at=T,
                copied_at=T,
                pilot_revoked_at=T if n == 5 else None,
            )
        )
    corrected = str(uuid.uuid4())
    session.add_all(
        [
            # 1: several acceptances, the latest counts (in its quarter, with its level); diagnoses too.
            row(1, "acceptance", 2, day(2)),
            row(1, "acceptance", 3, day(7)),
            row(1, "acceptance", 1, day(4)),
            row(1, "diagnosis", 1, day(1), "submitted"),
            row(1, "diagnosis", 2, day(3), "signed_off"),
            row(1, "diagnosis", 4, day(5), "draft"),  # not final: ignored
            # 2: two signed off at the same instant, and two diagnoses likewise: the enterprise counts once,
            # with the higher level of each pair (without `ties`, only the lower of each pair exists).
            row(2, "acceptance", 2, day(5, 2, 9)),
            *([row(2, "acceptance", 3, day(5, 2, 9))] if ties else []),
            row(2, "acceptance", 4, day(1)),
            row(2, "diagnosis", 1, day(1, 5), "submitted"),
            *([row(2, "diagnosis", 2, day(1, 5), "submitted")] if ties else []),
            # 3: the later acceptance was superseded by a correction dated earlier: the correction counts.
            row(3, "acceptance", 4, day(6), superseded_by_id=corrected),
            row(3, "acceptance", 2, day(5), id=corrected),
            # 4: a later acceptance not yet signed off and one without a time do not displace it.
            row(4, "acceptance", 3, day(3)),
            row(4, "acceptance", 4, day(9), "submitted"),
            row(4, "acceptance", 4, None),
            row(4, "diagnosis", None, day(2), "submitted"),  # a diagnosis without level: 0
            # 5: pilot status revoked.
            row(5, "acceptance", 3, day(3)),
            # 6: only acceptances without a sign-off time: not counted.
            row(6, "acceptance", 2, None),
            # 7: a diagnosis only.
            row(7, "diagnosis", 2, day(2), "submitted"),
            # 8: no enterprise copy.
            row(8, "acceptance", 2, day(3)),
            # 9: another county.
            row(9, "acceptance", 3, day(3)),
        ]
    )
    await session.flush()


def by_max_join(county: str | None) -> Any:
    """The query before the rewrite, verbatim: `acceptances` must return the same rows."""

    def latest(kind: str, at: Any, statuses: tuple[str, ...]) -> Any:
        return (
            select(Assessment.uscc, func.max(at).label("at"))
            .where(
                Assessment.kind == kind,
                Assessment.status.in_(statuses),
                Assessment.superseded_by_id.is_(None),
            )
            .group_by(Assessment.uscc)
            .subquery()
        )

    after, before = aliased(Assessment), aliased(Assessment)
    accepted = latest("acceptance", Assessment.signed_off_at, ("signed_off",))
    diagnosed = latest("diagnosis", Assessment.submitted_at, FINAL)
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
    return query if county is None else query.where(EnterpriseCopy.county_code == county)


def normalised(rows: list[Any]) -> list[tuple[Any, ...]]:
    return sorted((c, int(y), int(m), s, level, int(b), int(n)) for c, y, m, s, level, b, n in rows)


async def test_latest_acceptance_and_diagnosis_per_enterprise(session: AsyncSession) -> None:
    await seed(session)
    rows = normalised(await PerformanceRepository(session).acceptances(COUNTY))
    assert rows == [
        (COUNTY, 2025, 3, "above_scale", 3, 0, 1),  # 4: the sign-off in March; its diagnosis has no level
        (COUNTY, 2025, 5, "above_scale", 3, 2, 1),  # 2: the ties, once, at the higher levels
        (COUNTY, 2025, 5, "below_scale", 2, 0, 1),  # 3: the correction
        (COUNTY, 2025, 7, "below_scale", 3, 2, 1),  # 1: latest acceptance, latest final diagnosis
    ]


async def test_same_rows_as_the_max_join_without_ties(session: AsyncSession) -> None:
    """Where no two rows share an instant, the window returns what the join to `max()` did (which
    counted an enterprise once per tied row)."""
    await seed(session, ties=False)
    for county in (COUNTY, OTHER, None):
        new = normalised(await PerformanceRepository(session).acceptances(county))
        old = normalised(list((await session.execute(by_max_join(county))).all()))
        assert new == old
