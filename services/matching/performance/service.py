"""Matching's performance metrics: solutions and providers listed, activities held, contracts signed,
projects completed (flows, per quarter) and projects in progress (a stock at each quarter's end)."""

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.performance.auth import county_scope
from services.matching.performance.repository import PerformanceRepository
from szcore.auth import Principal
from szcore.stats import Key, StatCell, StatsRead, quarter, to_cells
from szcore.types import utcnow


def quarter_ends(first: datetime, now: datetime) -> list[tuple[int, int, datetime]]:
    """(year, quarter, first instant after it) from the quarter of `first` to the one of `now`."""
    ends = []
    year, q = first.year, quarter(first.month)
    while (year, q) <= (now.year, quarter(now.month)):
        month = q * 3 + 1
        ends.append((year, q, datetime(year + month // 13, (month - 1) % 12 + 1, 1, tzinfo=UTC)))
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return ends


async def performance(
    session: AsyncSession, principal: Principal, programme: str | None, scope: str
) -> StatsRead:
    county = county_scope(principal, scope)
    repository = PerformanceRepository(session)
    counts: Counter[Key] = Counter()
    if county is None:
        for metric, rows in (
            ("providers", await repository.providers()),
            ("solutions", await repository.solutions()),
        ):
            for year, month, n in rows:
                counts[(metric, None, int(year), quarter(month))] += int(n)
    for county_code, year, month, kind, n in await repository.activities(programme, county):
        period = (county_code, int(year), quarter(month))
        counts[("activities", *period)] += int(n)
        counts[(f"activities_{getattr(kind, 'value', kind)}", *period)] += int(n)
    for metric, rows in (
        ("contracts_signed", await repository.contracts(county)),
        ("projects_completed", await repository.completions(county)),
    ):
        for county_code, year, month, n in rows:
            counts[(metric, county_code, int(year), quarter(month))] += int(n)
    cells = to_cells(counts)
    first = await repository.first_signed()
    if first is not None:
        ends = quarter_ends(first, utcnow())
        by_quarter: dict[int, list[tuple[str | None, int]]] = {}
        for n, county_code, count in await repository.in_progress([end for *_, end in ends], county):
            by_quarter.setdefault(int(n), []).append((county_code, int(count)))
        for n, (year, q, _) in enumerate(ends):
            # A city-wide zero marks the quarter as on record, so that readers take it as the latest.
            for county_code, value in [(None, 0), *by_quarter.get(n, [])]:
                cells.append(
                    StatCell(
                        metric="projects_in_progress",
                        county_code=county_code,
                        year=year,
                        quarter=q,
                        value=value,
                        stock=True,
                    )
                )
    return StatsRead(service="matching", programme=programme, cells=cells)
