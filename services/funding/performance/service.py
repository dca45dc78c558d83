"""Funding's performance metrics, in fen: allocated and paid (net of money recovered) per source."""

from collections import Counter

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.performance.auth import county_scope
from services.funding.performance.repository import PerformanceRepository
from szcore.auth import Principal
from szcore.stats import Key, StatsRead, quarter, to_cells

# entry type → (metric, sign)
FLOWS = {
    "allocation": ("funds_allocated", 1),
    "payment": ("funds_paid", 1),
    "recovery_repaid": ("funds_paid", -1),
}


async def performance(
    session: AsyncSession, principal: Principal, programme: str | None, scope: str
) -> StatsRead:
    county = county_scope(principal, scope)
    repository = PerformanceRepository(session)
    counts: Counter[Key] = Counter()
    for county_code, year, month, source_id, entry_type, total in await repository.flows(county):
        if entry_type not in FLOWS:
            continue
        metric, sign = FLOWS[entry_type]
        amount = sign * int(total or 0)
        period = (county_code, int(year), quarter(month))
        counts[(metric, *period)] += amount
        counts[(f"{metric}:{source_id}", *period)] += amount
    names = await repository.source_names()
    return StatsRead(
        service="funding",
        programme=programme,
        cells=to_cells(counts),
        labels={f"source:{source_id}": name for source_id, name in names.items()},
    )
