"""Assessment's performance metrics.

Transformed (完成改造): the enterprise's latest signed-off acceptance evaluation certifies maturity
level 2 or higher (the pass mark every seed sets) and its pilot status was not revoked; counted in the
quarter of that sign-off. `level_up` counts those whose certified level is above their diagnosed one.
"""

from collections import Counter

from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.performance.auth import county_scope
from services.assessment.performance.repository import PerformanceRepository
from szcore.auth import Principal
from szcore.stats import Key, StatsRead, quarter, to_cells

PASS_LEVEL = 2


def acceptance_metrics(size_class: str, level: int, level_before: int) -> list[str]:
    metrics = ["accepted", f"level_after:{level}", f"level_before:{level_before}"]
    if level >= PASS_LEVEL:
        metrics += ["transformed", f"transformed_{size_class}"]
    if level == 4:
        metrics.append("level4")
    if level > level_before:
        metrics.append("level_up")
    return metrics


async def performance(
    session: AsyncSession, principal: Principal, programme: str | None, scope: str
) -> StatsRead:
    county = county_scope(principal, scope)
    counts: Counter[Key] = Counter()
    for county_code, year, month, size_class, level, before, n in await PerformanceRepository(
        session
    ).acceptances(county):
        for metric in acceptance_metrics(str(size_class), int(level or 0), int(before)):
            counts[(metric, county_code, int(year), quarter(month))] += int(n)
    return StatsRead(service="assessment", programme=programme, cells=to_cells(counts))
