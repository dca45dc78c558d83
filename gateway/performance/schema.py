"""The performance part of the GraphQL schema: the target table against actual figures, per county, and
the county ranking. City-wide roles see everything; a county official its own county's figures and the
ranking's positions."""

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from gateway.performance import service
from gateway.performance.types import CountyRanking, ProgrammePerformance, performance_from, ranking_from

Programme = Annotated[str, strawberry.argument(description="Programme id, e.g. jinhua-2024 / 试点方案编号")]
Year = Annotated[
    int | None, strawberry.argument(description="Year (default: the current programme year) / 年度")
]
Quarter = Annotated[
    int | None, strawberry.argument(description="Quarter 1–4 of the ranking (default: current) / 季度")
]


@strawberry.type
class PerformanceQuery:
    @strawberry.field(
        description="A programme's target table next to the actual figures, per year, in total and per "
        "county, with levels before/after, funds by source and the county ranking / 试点目标完成情况"
    )
    async def programme_performance(
        self,
        info: Info[Any, Any],
        programme: Programme,
        year: Year = None,
        quarter: Quarter = None,
    ) -> ProgrammePerformance:
        context = info.context
        data = await service.report(context.clients, context.require_principal(), programme, year, quarter)
        return performance_from(data)

    @strawberry.field(
        description="The county ranking (晾晒) of a quarter, best first, with the top counties; null when "
        "the programme runs none / 区县晾晒排名"
    )
    async def county_ranking(
        self,
        info: Info[Any, Any],
        programme: Programme,
        year: Year = None,
        quarter: Quarter = None,
    ) -> CountyRanking | None:
        context = info.context
        data = await service.ranking(context.clients, context.require_principal(), programme, year, quarter)
        return ranking_from(data)
