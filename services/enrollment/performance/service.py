"""Enrollment's performance metrics: admissions by class and honours, per county and quarter."""

from collections import Counter

from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.performance.auth import county_scope
from services.enrollment.performance.repository import CASE_KINDS, PerformanceRepository
from szcore.auth import Principal
from szcore.stats import Key, StatsRead, quarter, to_cells

SRDI = ("provincial_srdi", "little_giant")


def admission_metrics(size_class: str, srdi_status: str, cloud_adopted: bool) -> list[str]:
    metrics = ["admitted", f"admitted_{size_class}"]
    if srdi_status == "little_giant":
        metrics.append("admitted_little_giant")
    if srdi_status in SRDI:
        metrics.append("admitted_srdi")
    if cloud_adopted:
        metrics.append("admitted_cloud")
    return metrics


async def performance(
    session: AsyncSession, principal: Principal, programme: str | None, scope: str
) -> StatsRead:
    county = county_scope(principal, scope)
    repository = PerformanceRepository(session)
    counts: Counter[Key] = Counter()
    for county_code, year, month, size_class, srdi, cloud, n in await repository.admissions(
        programme, county
    ):
        for metric in admission_metrics(str(size_class), str(srdi), bool(cloud)):
            counts[(metric, county_code, int(year), quarter(month))] += int(n)
    for county_code, year, month, kind, n in await repository.designations(programme, county):
        period = (county_code, int(year), quarter(month))
        counts[(f"designation:{getattr(kind, 'value', kind)}", *period)] += int(n)
        counts[("honours", *period)] += int(n)
    for metric in CASE_KINDS:
        for county_code, year, month, n in await repository.cases(metric, programme, county):
            counts[(metric, county_code, int(year), quarter(month))] += int(n)
    return StatsRead(service="enrollment", programme=programme, cells=to_cells(counts))
