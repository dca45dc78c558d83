"""GraphQL types of programme performance (目标表完成情况) and the county ranking (区县晾晒)."""

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from gateway.scalars import Fen


@strawberry.enum(description="How often counties are ranked / 晾晒周期")
class RankingPeriod(Enum):
    QUARTER = strawberry.enum_value("quarter", description="Every quarter / 按季度")
    YEAR = strawberry.enum_value("year", description="Every year / 按年度")


@strawberry.type(description="A target row in one period: target, actual, gap and trend / 某期目标与完成")
class PerformanceFigure:
    period: str = strawberry.field(description="Year (e.g. 2025) or total / 期间（年份或合计）")
    target: int | None = strawberry.field(description="Target for the period; null if not split / 目标值")
    actual: float | None = strawberry.field(
        description="Counted by the platform; null when the row has no metric / 平台统计实际值"
    )
    gap: float | None = strawberry.field(description="Target minus actual (≤0: reached) / 差距（目标−实际）")
    percent: float | None = strawberry.field(description="Actual as a percentage of the target / 完成率（%）")
    trend: float | None = strawberry.field(
        description="Change against the previous period (a year: the year before; total: what the year "
        "added) / 较上期变化"
    )


@strawberry.type(description="One row of the target table with its actual figures / 目标表一行及完成情况")
class PerformanceTarget:
    code: str = strawberry.field(description="Target code / 指标代码")
    name: str = strawberry.field(description="The row as the plan words it / 指标名称")
    unit: str = strawberry.field(description="Unit (家, 个, %) / 单位")
    part_of: str | None = strawberry.field(description="Row this one is part of / 所属合计指标")
    note: str = strawberry.field(description="How the row is read or counted / 说明")
    metrics: list[str] = strawberry.field(description="Metric keys counted as progress / 统计口径")
    denominator_metrics: list[str] = strawberry.field(
        description="For a share: metric keys of the denominator / 占比分母口径"
    )
    measured: bool = strawberry.field(description="Whether the platform counts this row / 平台是否统计")
    year: PerformanceFigure = strawberry.field(description="The selected year / 所选年度")
    total: PerformanceFigure = strawberry.field(description="The programme total to the year's end / 累计")
    years: list[PerformanceFigure] = strawberry.field(description="Every programme year / 各年度")


@strawberry.type(description="A target row's actual figures in one county / 区县完成情况")
class PerformanceCountyTarget:
    code: str = strawberry.field(description="Target code / 指标代码")
    name: str = strawberry.field(description="Target name / 指标名称")
    unit: str = strawberry.field(description="Unit / 单位")
    year: PerformanceFigure = strawberry.field(description="The selected year (no county target) / 所选年度")
    total: PerformanceFigure = strawberry.field(description="To the year's end / 累计")


@strawberry.type(description="One county's figures / 区县目标完成情况")
class PerformanceCounty:
    county_code: str = strawberry.field(description="County code (GB/T 2260) / 区县代码")
    county_name: str = strawberry.field(description="County name / 区县名称")
    targets: list[PerformanceCountyTarget] = strawberry.field(description="Measured rows / 已统计指标")


@strawberry.type(description="Accepted enterprises at one maturity level before and after / 改造前后级别分布")
class PerformanceLevel:
    level: int = strawberry.field(description="Maturity level 1–4 (0: not diagnosed) / 数字化水平等级")
    before: int = strawberry.field(description="Enterprises diagnosed at this level / 改造前企业数")
    after: int = strawberry.field(description="Enterprises certified at this level / 验收后企业数")


@strawberry.type(description="Funds of one source, allocated and paid / 资金来源拨付情况")
class PerformanceFunds:
    source_id: str = strawberry.field(description="Funding source id / 资金来源编号")
    name: str = strawberry.field(description="Funding source name / 资金来源名称")
    allocated_fen: Fen = strawberry.field(description="Allocated, in fen / 已下达（分）")
    paid_fen: Fen = strawberry.field(description="Paid net of recoveries, in fen / 已拨付（分）")


@strawberry.type(description="A ranking criterion and its weight / 晾晒评价指标")
class RankingCriterion:
    code: str = strawberry.field(description="Criterion code / 指标代码")
    name: str = strawberry.field(description="Criterion name / 指标名称")
    metrics: list[str] = strawberry.field(description="Metric keys summed / 统计口径")
    weight: int = strawberry.field(description="Points for the best county / 权重（最高分）")


@strawberry.type(description="A county's figure on one criterion / 区县单项指标值")
class RankingValue:
    code: str = strawberry.field(description="Criterion code / 指标代码")
    value: int = strawberry.field(description="Count in the period / 期内数量")


@strawberry.type(description="One county's place in the ranking / 区县排名")
class CountyRankingRow:
    county_code: str = strawberry.field(description="County code / 区县代码")
    county_name: str = strawberry.field(description="County name / 区县名称")
    rank: int = strawberry.field(description="Rank (equal scores share a rank) / 名次")
    previous_rank: int | None = strawberry.field(description="Rank in the period before / 上期名次")
    score: float = strawberry.field(description="Weighted score / 综合得分")
    top: bool = strawberry.field(description="Among the top counties honoured / 是否位列前列")
    values: list[RankingValue] = strawberry.field(
        description="Criterion values (a county official sees its own county's only) / 各项指标值"
    )


@strawberry.type(description="The county ranking of one period (晾晒) / 区县晾晒排名")
class CountyRanking:
    name: str = strawberry.field(description="Ranking name / 晾晒名称")
    period: RankingPeriod = strawberry.field(description="Ranking period / 晾晒周期")
    year: int = strawberry.field(description="Year / 年度")
    quarter: int = strawberry.field(description="Quarter 1–4 / 季度")
    top_count: int = strawberry.field(description="How many leading counties are honoured / 表彰名额")
    criteria: list[RankingCriterion] = strawberry.field(description="Criteria and weights / 评价指标及权重")
    rows: list[CountyRankingRow] = strawberry.field(description="Every county, best first / 全部区县排名")
    top: list[CountyRankingRow] = strawberry.field(description="The leading counties / 前列区县")


@strawberry.type(description="A programme's target table next to the platform's figures / 试点目标完成情况")
class ProgrammePerformance:
    programme_id: str = strawberry.field(description="Programme id / 试点方案编号")
    programme_name: str = strawberry.field(description="Programme name / 试点方案名称")
    city_name: str = strawberry.field(description="City / 城市")
    year: int = strawberry.field(description="Selected year / 所选年度")
    quarter: int = strawberry.field(description="Quarter of the ranking / 晾晒季度")
    years: list[int] = strawberry.field(description="Programme years / 试点年度")
    county_code: str | None = strawberry.field(description="Set when a county asks: its own figures / 区县")
    generated_at: datetime = strawberry.field(description="When the figures were computed (UTC) / 统计时间")
    targets: list[PerformanceTarget] = strawberry.field(description="The target table / 目标表")
    counties: list[PerformanceCounty] = strawberry.field(description="Per county / 分区县")
    levels: list[PerformanceLevel] = strawberry.field(description="Levels before and after / 改造前后级别")
    funds: list[PerformanceFunds] = strawberry.field(description="Funds by source / 资金来源")
    ranking: CountyRanking | None = strawberry.field(
        description="County ranking, if the city runs one / 晾晒"
    )


def _figure(data: dict[str, Any]) -> PerformanceFigure:
    return PerformanceFigure(**data)


def ranking_from(data: dict[str, Any] | None) -> CountyRanking | None:
    if data is None:
        return None

    def row(r: dict[str, Any]) -> CountyRankingRow:
        return CountyRankingRow(
            county_code=r["county_code"],
            county_name=r["county_name"],
            rank=r["rank"],
            previous_rank=r["previous_rank"],
            score=float(r["score"]),
            top=r["top"],
            values=[RankingValue(**v) for v in r["values"]],
        )

    return CountyRanking(
        name=data["name"],
        period=RankingPeriod(data["period"]),
        year=data["year"],
        quarter=data["quarter"],
        top_count=data["top_count"],
        criteria=[RankingCriterion(**c) for c in data["criteria"]],
        rows=[row(r) for r in data["rows"]],
        top=[row(r) for r in data["top"]],
    )


def performance_from(data: dict[str, Any]) -> ProgrammePerformance:
    programme = data["programme"]
    return ProgrammePerformance(
        programme_id=programme["id"],
        programme_name=programme["name"],
        city_name=programme["city_name"],
        year=data["year"],
        quarter=data["quarter"],
        years=data["years"],
        county_code=data["county_code"],
        generated_at=datetime.fromisoformat(data["generated_at"]),
        targets=[
            PerformanceTarget(
                code=t["code"],
                name=t["name"],
                unit=t["unit"],
                part_of=t["part_of"],
                note=t["note"],
                metrics=t["metrics"],
                denominator_metrics=t["denominator_metrics"],
                measured=t["measured"],
                year=_figure(t["year"]),
                total=_figure(t["total"]),
                years=[_figure(f) for f in t["years"]],
            )
            for t in data["targets"]
        ],
        counties=[
            PerformanceCounty(
                county_code=c["county_code"],
                county_name=c["county_name"],
                targets=[
                    PerformanceCountyTarget(
                        code=t["code"],
                        name=t["name"],
                        unit=t["unit"],
                        year=_figure(t["year"]),
                        total=_figure(t["total"]),
                    )
                    for t in c["targets"]
                ],
            )
            for c in data["counties"]
        ],
        levels=[PerformanceLevel(**level) for level in data["levels"]],
        funds=[PerformanceFunds(**f) for f in data["funds"]],
        ranking=ranking_from(data["ranking"]),
    )
