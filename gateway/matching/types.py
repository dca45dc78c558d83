from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gateway.convert import parse_datetime as _dt
from gateway.pagination import Connection
from gateway.scalars import Fen


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


@strawberry.type(description="What the matching service knows of an enterprise / 企业供需对接概况")
class MatchingProfile:
    known_since: datetime = strawberry.field(description="When the matching service learned of it / 收录时间")
    open_engagements: int = strawberry.field(
        description="Engagements with providers still open / 进行中的服务对接数"
    )


async def resolve_matching_profile(uscc: str, info: Info[Any, Any]) -> MatchingProfile | None:
    """Through the request's DataLoader over `GET /enterprises?uscc=...` (see the assessment profile)."""
    data = await info.context.loader("matching", "/enterprises").load(uscc)
    if data is None:
        return None
    return MatchingProfile(
        known_since=datetime.fromisoformat(data["known_since"]), open_engagements=data["open_engagements"]
    )


async def provider_linked(info: Info[Any, Any], path: str, provider_id: str) -> list[dict[str, Any]]:
    """A provider's items in a collection, through the request's list DataLoader over the batch endpoint
    `GET path?provider_id=a&provider_id=b...`: a page of providers costs one call per link."""
    loader = info.context.loader("matching", path, "provider_id", "provider_id", many=True)
    return await loader.load(provider_id)  # type: ignore[no-any-return]


# ---- enums -----------------------------------------------------------------------------------------


@strawberry.enum(description="Order of the provider roster; keep it while paging / 服务商列表排序")
class ProviderOrder(Enum):
    ID = strawberry.enum_value("id", description="By provider id, the default / 按服务商编号（默认）")
    NAME = strawberry.enum_value("name", description="By name / 按名称")
    RATING_HIGHEST = strawberry.enum_value(
        "rating_highest", description="Best rated first, unrated last / 按考评得分从高到低（未考评在后）"
    )
    APPLIED_NEWEST = strawberry.enum_value(
        "applied_newest", description="Latest applications first / 按申请入库时间倒序"
    )


@strawberry.enum(description="Order of the solution list; keep it while paging / 产品列表排序")
class SolutionOrder(Enum):
    ID = strawberry.enum_value("id", description="By solution id, the default / 按产品编号（默认）")
    NAME = strawberry.enum_value("name", description="By name / 按名称")
    PRICE_LOWEST = strawberry.enum_value("price_lowest", description="Cheapest first / 按标价从低到高")
    SUBMITTED_NEWEST = strawberry.enum_value(
        "submitted_newest", description="Latest submitted first / 按提交时间倒序"
    )


@strawberry.enum(description="Order of the engagement list; keep it while paging / 服务对接列表排序")
class EngagementOrder(Enum):
    ID = strawberry.enum_value("id", description="By engagement id, the default / 按对接编号（默认）")
    CREATED_NEWEST = strawberry.enum_value(
        "created_newest", description="Latest started first / 按创建时间倒序"
    )
    CREATED_OLDEST = strawberry.enum_value(
        "created_oldest", description="Earliest started first / 按创建时间正序"
    )


@strawberry.enum(description="Order of the activity list; keep it while paging / 活动列表排序")
class ActivityOrder(Enum):
    ID = strawberry.enum_value("id", description="By activity id, the default / 按活动编号（默认）")
    STARTS_SOONEST = strawberry.enum_value(
        "starts_soonest", description="Earliest start first / 按开始时间正序"
    )
    STARTS_LATEST = strawberry.enum_value("starts_latest", description="Latest start first / 按开始时间倒序")
    CREATED_NEWEST = strawberry.enum_value(
        "created_newest", description="Latest published first / 按发布时间倒序"
    )


@strawberry.enum(description="Order of a provider's ratings; keep it while paging / 服务商考评排序")
class ProviderRatingOrder(Enum):
    PERIOD_NEWEST = strawberry.enum_value(
        "period_newest", description="Latest period first, the default / 按考评期倒序（默认）"
    )
    OVERALL_HIGHEST = strawberry.enum_value(
        "overall_highest", description="Best overall score first / 按综合得分从高到低"
    )


@strawberry.enum(description="Order of a product's ratings; keep it while paging / 产品评价排序")
class SolutionRatingOrder(Enum):
    RATED_OLDEST = strawberry.enum_value(
        "rated_oldest", description="Earliest rating first, the default / 按评价先后（默认）"
    )
    RATED_NEWEST = strawberry.enum_value("rated_newest", description="Latest rating first / 最新评价在前")
    SCORE_HIGHEST = strawberry.enum_value("score_highest", description="Best score first / 按评分从高到低")
    SCORE_LOWEST = strawberry.enum_value("score_lowest", description="Worst score first / 按评分从低到高")


@strawberry.enum(description="Kind of provider / 服务商类型")
class ProviderKind(Enum):
    INTEGRATED = strawberry.enum_value("integrated", description="综合型/集成 integrated")
    SPECIALIST = strawberry.enum_value("specialist", description="专业型/场景 specialist")
    GENERAL_CONTRACTOR = strawberry.enum_value("general_contractor", description="总包商 general contractor")


@strawberry.enum(description="Where a provider stands in the pool / 服务商状态")
class ProviderStatus(Enum):
    APPLIED = strawberry.enum_value("applied", description="已申请 applied, under expert review")
    IN_NOTICE = strawberry.enum_value("in_notice", description="公示中 in public notice")
    LISTED = strawberry.enum_value("listed", description="已入库 listed on the roster")
    WARNED = strawberry.enum_value("warned", description="预警 warned (still listed)")
    SUSPENDED = strawberry.enum_value("suspended", description="暂停 suspended")
    REMOVED = strawberry.enum_value("removed", description="移出 removed")
    REJECTED = strawberry.enum_value("rejected", description="未通过 rejected")


@strawberry.enum(description="Roster action by the city / 动态管理操作")
class ProviderStatusAction(Enum):
    WARN = strawberry.enum_value("warn", description="预警 warn")
    SUSPEND = strawberry.enum_value("suspend", description="暂停 suspend")
    REINSTATE = strawberry.enum_value("reinstate", description="恢复 reinstate")
    REMOVE = strawberry.enum_value("remove", description="移出 remove")


@strawberry.enum(description="Decision on an application / 评审决定", name="AdmissionDecision")
class ReviewDecision(Enum):
    APPROVE = strawberry.enum_value("approve", description="通过 approve (providers: into public notice)")
    REJECT = strawberry.enum_value("reject", description="不通过 reject")
    DELIST = strawberry.enum_value("delist", description="下架 delist (solutions only)")


@strawberry.enum(description="Catalogue status of a solution / 产品状态")
class SolutionStatus(Enum):
    SUBMITTED = strawberry.enum_value("submitted", description="待审核 submitted, under expert review")
    IN_NOTICE = strawberry.enum_value("in_notice", description="公示中 in public notice")
    LISTED = strawberry.enum_value("listed", description="已上架 listed")
    REJECTED = strawberry.enum_value("rejected", description="未通过 rejected")
    DELISTED = strawberry.enum_value("delisted", description="已下架 delisted")


@strawberry.enum(description="Deployment / 部署方式")
class Deployment(Enum):
    SAAS = strawberry.enum_value("saas", description="SaaS 云服务")
    PRIVATE = strawberry.enum_value("private", description="私有化 private")
    HYBRID = strawberry.enum_value("hybrid", description="混合 hybrid")


@strawberry.enum(description="Price model / 计价方式")
class PriceModel(Enum):
    ONE_OFF = strawberry.enum_value("one_off", description="一次性 one-off")
    SUBSCRIPTION_YEARLY = strawberry.enum_value(
        "subscription_yearly", description="按年订阅 yearly subscription"
    )
    PER_MODULE = strawberry.enum_value("per_module", description="按模块 per module")
    PER_USER_YEARLY = strawberry.enum_value("per_user_yearly", description="按用户按年 per user per year")


@strawberry.enum(description="Where a need came from / 需求来源")
class NeedSource(Enum):
    CITY_LIST = strawberry.enum_value("city_list", description="行业共性需求 N, from the city's list")
    ENTERPRISE = strawberry.enum_value("enterprise", description="个性需求 X, stated by the enterprise")
    GAP_ANALYSIS = strawberry.enum_value("gap_analysis", description="个性需求 X, from the gap analysis")


@strawberry.enum(description="Need status / 需求状态")
class NeedStatus(Enum):
    OPEN = strawberry.enum_value("open", description="待满足 open")
    CLOSED = strawberry.enum_value("closed", description="已关闭 closed")


@strawberry.enum(description="Engagement kind / 服务类型")
class EngagementKind(Enum):
    DIAGNOSIS = strawberry.enum_value("diagnosis", description="诊断 diagnosis")
    TRANSFORMATION = strawberry.enum_value("transformation", description="改造 transformation")


@strawberry.enum(description="Engagement status / 对接状态")
class EngagementStatus(Enum):
    OPEN = strawberry.enum_value("open", description="进行中 open")
    COMPLETED = strawberry.enum_value("completed", description="已完成 completed")
    CANCELLED = strawberry.enum_value("cancelled", description="已取消 cancelled")


@strawberry.enum(description="Plan status / 方案状态")
class PlanStatus(Enum):
    SUBMITTED = strawberry.enum_value("submitted", description="待确认 submitted")
    APPROVED = strawberry.enum_value("approved", description="已确认 approved")
    RETURNED = strawberry.enum_value("returned", description="已退回 returned")


@strawberry.enum(description="Decision on a plan / 方案确认", name="PlanDecisionKind")
class PlanDecision(Enum):
    APPROVE = strawberry.enum_value("approve", description="确认 approve")
    RETURN = strawberry.enum_value("return", description="退回 return")


@strawberry.enum(description="Project status / 项目状态")
class ProjectStatus(Enum):
    ACTIVE = strawberry.enum_value("active", description="实施中 active")
    COMPLETED = strawberry.enum_value("completed", description="已完成 completed")
    CANCELLED = strawberry.enum_value("cancelled", description="已取消 cancelled")


@strawberry.enum(description="Spending category / 支出类别", name="BudgetCategory")
class SpendingCategory(Enum):
    SOFTWARE = strawberry.enum_value("software", description="软件 software")
    CLOUD_SERVICE = strawberry.enum_value("cloud_service", description="云服务 cloud service")
    DATA_COLLECTION_HARDWARE = strawberry.enum_value(
        "data_collection_hardware", description="数据采集与传输设备 data-collection hardware"
    )
    IMPLEMENTATION_SERVICE = strawberry.enum_value(
        "implementation_service", description="实施服务 implementation"
    )
    OTHER = strawberry.enum_value("other", description="其他 other")


@strawberry.enum(description="Kind of rule document / 规则类型", name="MatchingRuleKind")
class RuleKind(Enum):
    SCORING_SHEET = strawberry.enum_value("scoring_sheet", description="遴选评分表 provider scoring sheet")
    SOLUTION_SCORING_SHEET = strawberry.enum_value(
        "solution_scoring_sheet", description="产品评审评分表 product scoring sheet"
    )
    QUOTAS = strawberry.enum_value("quotas", description="每行业名额 per-industry quotas")
    RATING_SHEET = strawberry.enum_value("rating_sheet", description="动态考评表 rating sheet")
    MATCHING_WEIGHTS = strawberry.enum_value("matching_weights", description="匹配权重 matching weights")
    COMMON_NEEDS = strawberry.enum_value("common_needs", description="行业共性需求清单 common needs (N)")


# ---- objects ---------------------------------------------------------------------------------------


@strawberry.type(description="A case a provider or product shows / 案例", name="ReferenceCase")
class Case:
    title: str = strawberry.field(description="Title / 案例名称")
    customer: str | None = strawberry.field(description="Customer / 客户")
    description: str | None = strawberry.field(description="Description / 说明")

    @classmethod
    def many(cls, items: list[dict[str, Any]]) -> list["Case"]:
        return [
            cls(title=c["title"], customer=c.get("customer"), description=c.get("description")) for c in items
        ]


@strawberry.type(description="A digital-service provider / 数字化服务商")
class Provider:
    provider_id: str = strawberry.field(description="Provider id / 服务商标识")
    uscc: str = strawberry.field(description="The company's USCC / 统一社会信用代码")
    name: str = strawberry.field(description="Name / 名称")
    kind: ProviderKind = strawberry.field(description="Kind / 类型")
    industries: list[str] = strawberry.field(description="Industries served / 服务行业")
    counties: list[str] = strawberry.field(description="Counties served / 服务区县")
    staff_on_site: int = strawberry.field(description="Local support staff / 本地服务人员数")
    cases: list[Case] = strawberry.field(description="Cases / 案例")
    certifications: list[str] = strawberry.field(description="Certifications / 资质")
    status: ProviderStatus = strawberry.field(description="Status / 状态")
    status_reason: str | None = strawberry.field(description="Reason of the last status change / 原因")
    review_score_centi: int | None = strawberry.field(description="Mean expert score x100 / 专家评分均值x100")
    notice_until: datetime | None = strawberry.field(description="Public notice ends / 公示截止")
    confidentiality_signed: bool = strawberry.field(
        description="Confidentiality undertaking signed / 已签保密协议"
    )
    rating_centi: int | None = strawberry.field(description="Latest overall rating x100 / 最新考评x100")
    open_projects: int = strawberry.field(description="Open engagements (capacity) / 进行中项目数")
    applied_at: datetime = strawberry.field(description="Applied at / 申请时间")
    listed_at: datetime | None = strawberry.field(description="Listed at / 入库时间")

    @strawberry.field(
        description="Products and solutions (the public sees listed ones only) / 小快轻准产品和解决方案"
    )
    async def solutions(self, info: Info[Any, Any]) -> list["Solution"]:
        items = await provider_linked(info, "/solutions/by-provider", self.provider_id)
        return [Solution.from_service(x) for x in items]

    @strawberry.field(description="Engagements with enterprises, as far as the caller sees them / 服务对接")
    async def engagements(self, info: Info[Any, Any]) -> list["Engagement"]:
        items = await provider_linked(info, "/engagements/by-provider", self.provider_id)
        return [Engagement.from_service(x) for x in items]

    @strawberry.field(
        description="Periodic ratings, newest first (officials and the provider itself) / 服务商考评"
    )
    async def ratings(self, info: Info[Any, Any]) -> list["ProviderRating"]:
        items = await provider_linked(info, "/providers/ratings/by-provider", self.provider_id)
        return [ProviderRating.from_service(x) for x in items]

    @classmethod
    def from_service(cls, d: dict[str, Any]) -> "Provider":
        return cls(
            provider_id=d["provider_id"],
            uscc=d["uscc"],
            name=d["name"],
            kind=ProviderKind(d["kind"]),
            industries=d["industries"],
            counties=d["counties"],
            staff_on_site=d["staff_on_site"],
            cases=Case.many(d["cases"]),
            certifications=d["certifications"],
            status=ProviderStatus(d["status"]),
            status_reason=d["status_reason"],
            review_score_centi=d["review_score_centi"],
            notice_until=_dt(d["notice_until"]),
            confidentiality_signed=d["confidentiality_signed"],
            rating_centi=d["rating_centi"],
            open_projects=d["open_projects"],
            applied_at=_at(d["applied_at"]),
            listed_at=_dt(d["listed_at"]),
        )


@strawberry.type(description="A page of providers / 服务商分页")
class ProviderPage(Connection[Provider]):
    items: list[Provider] = strawberry.field(description="This page / 本页")
    total: int = strawberry.field(description="All matching the filters / 总数")
    next_cursor: str | None = strawberry.field(description="Cursor of the next page / 下一页游标")


@strawberry.type(description="A score on one dimension / 单项评分", name="SheetScore")
class DimensionScore:
    code: str = strawberry.field(description="Dimension code / 维度代码")
    score: int = strawberry.field(description="Score 0-100 / 分数")

    @classmethod
    def many(cls, scores: dict[str, int]) -> list["DimensionScore"]:
        return [cls(code=k, score=v) for k, v in sorted(scores.items())]


@strawberry.input(description="A score on one dimension / 单项评分", name="SheetScoreInput")
class DimensionScoreInput:
    code: str = strawberry.field(description="Dimension code of the current sheet / 维度代码")
    score: int = strawberry.field(description="Score 0-100 / 分数")


@strawberry.type(description="An expert's review of a provider application / 专家评审")
class ProviderReview:
    provider_id: str = strawberry.field(description="Provider / 服务商")
    expert: str = strawberry.field(description="Expert subject / 专家")
    scores: list[DimensionScore] = strawberry.field(description="Scores / 评分")
    total_centi: int = strawberry.field(description="Weighted total x100 / 加权总分x100")
    sheet_version: int = strawberry.field(description="Scoring sheet version / 评分表版本")
    comment: str | None = strawberry.field(description="Comment / 意见")
    reviewed_at: datetime = strawberry.field(description="Reviewed at / 评审时间")

    @classmethod
    def from_service(cls, d: dict[str, Any]) -> "ProviderReview":
        return cls(
            provider_id=d["provider_id"],
            expert=d["expert"],
            scores=DimensionScore.many(d["scores"]),
            total_centi=d["total_centi"],
            sheet_version=d["sheet_version"],
            comment=d["comment"],
            reviewed_at=_at(d["reviewed_at"]),
        )


@strawberry.enum(description="Order of expert reviews; keep it while paging / 专家评审排序")
class ReviewOrder(Enum):
    FILED_OLDEST = strawberry.enum_value(
        "filed_oldest", description="In the order filed, the default / 按提交先后（默认）"
    )
    TOTAL_HIGHEST = strawberry.enum_value(
        "total_highest", description="Best weighted total first / 按加权总分从高到低"
    )


@strawberry.type(description="A page of a provider application's expert reviews / 服务商专家评审分页")
class ProviderReviewPage(Connection[ProviderReview]):
    items: list[ProviderReview] = strawberry.field(description="Reviews / 评审")
    total: int = strawberry.field(description="Total matching / 总数")
    next_cursor: str | None = strawberry.field(description="Cursor of the next page / 下一页游标")


@strawberry.type(description="A periodic rating of a provider / 服务商考评")
class ProviderRating:
    provider_id: str = strawberry.field(description="Provider / 服务商")
    period: str = strawberry.field(description="Period, e.g. 2026-11 / 考评期")
    scores: list[DimensionScore] = strawberry.field(description="Scores / 评分")
    overall_centi: int = strawberry.field(description="Weighted overall x100 / 综合得分x100")
    sheet_version: int = strawberry.field(description="Rating sheet version / 考评表版本")
    rated_at: datetime = strawberry.field(description="Rated at / 考评时间")

    @classmethod
    def from_service(cls, d: dict[str, Any]) -> "ProviderRating":
        return cls(
            provider_id=d["provider_id"],
            period=d["period"],
            scores=DimensionScore.many(d["scores"]),
            overall_centi=d["overall_centi"],
            sheet_version=d["sheet_version"],
            rated_at=_at(d["rated_at"]),
        )


@strawberry.type(description="A 小快轻准 product or solution / 小快轻准产品和解决方案")
class Solution:
    solution_id: str = strawberry.field(description="Solution id / 产品标识")
    provider_id: str = strawberry.field(description="Provider / 服务商")
    name: str = strawberry.field(description="Name / 名称")
    description: str = strawberry.field(description="Description / 简介")
    scenario_codes: list[str] = strawberry.field(description="MIIT scenarios covered / 覆盖场景")
    industries: list[str] = strawberry.field(description="Industries; empty = any / 适用行业")
    deployment: Deployment = strawberry.field(description="Deployment / 部署方式")
    price_model: PriceModel = strawberry.field(description="Price model / 计价方式")
    list_price_fen: Fen = strawberry.field(description="List price in fen / 标价（分）")
    implementation_days: int = strawberry.field(description="Typical implementation days / 实施周期（天）")
    claimed_level_gain: int = strawberry.field(description="Claimed maturity levels gained / 宣称提升等级")
    claimed_effect: str = strawberry.field(description="Claimed effect / 预期成效")
    cases: list[Case] = strawberry.field(description="Cases / 案例")
    status: SolutionStatus = strawberry.field(description="Status / 状态")
    status_reason: str | None = strawberry.field(description="Reason / 原因")
    review_score_centi: int | None = strawberry.field(description="Mean expert score x100 / 专家评分均值x100")
    notice_until: datetime | None = strawberry.field(description="Public notice ends / 公示截止")
    uses: int = strawberry.field(description="Completed projects that used it / 应用次数")
    rating_count: int = strawberry.field(description="Ratings received / 评价数")
    rating_avg_centi: int | None = strawberry.field(description="Mean rating (1-5) x100 / 平均评分x100")
    excellent_years: list[int] = strawberry.field(description="Years selected as excellent / 优秀产品年度")
    submitted_at: datetime = strawberry.field(description="Submitted at / 提交时间")
    listed_at: datetime | None = strawberry.field(description="Listed at / 上架时间")

    @classmethod
    def from_service(cls, d: dict[str, Any]) -> "Solution":
        return cls(
            solution_id=d["solution_id"],
            provider_id=d["provider_id"],
            name=d["name"],
            description=d["description"],
            scenario_codes=d["scenario_codes"],
            industries=d["industries"],
            deployment=Deployment(d["deployment"]),
            price_model=PriceModel(d["price_model"]),
            list_price_fen=d["list_price_fen"],
            implementation_days=d["implementation_days"],
            claimed_level_gain=d["claimed_level_gain"],
            claimed_effect=d["claimed_effect"],
            cases=Case.many(d["cases"]),
            status=SolutionStatus(d["status"]),
            status_reason=d["status_reason"],
            review_score_centi=d["review_score_centi"],
            notice_until=_dt(d["notice_until"]),
            uses=d["uses"],
            rating_count=d["rating_count"],
            rating_avg_centi=d["rating_avg_centi"],
            excellent_years=d["excellent_years"],
            submitted_at=_at(d["submitted_at"]),
            listed_at=_dt(d["listed_at"]),
        )


@strawberry.type(description="A page of solutions / 产品分页")
class SolutionPage(Connection[Solution]):
    items: list[Solution] = strawberry.field(description="This page / 本页")
    total: int = strawberry.field(description="All matching the filters / 总数")
    next_cursor: str | None = strawberry.field(description="Cursor of the next page / 下一页游标")


@strawberry.type(description="A page of a provider's ratings / 服务商考评分页")
class ProviderRatingPage(Connection[ProviderRating]):
    items: list[ProviderRating] = strawberry.field(description="Ratings / 考评")
    total: int = strawberry.field(description="Total matching / 总数")
    next_cursor: str | None = strawberry.field(description="Cursor of the next page / 下一页游标")


@strawberry.type(description="An enterprise's rating of a product after use / 产品使用评价")
class SolutionRating:
    solution_id: str = strawberry.field(description="Solution / 产品")
    engagement_id: str = strawberry.field(description="Engagement it was used in / 对接")
    uscc: str = strawberry.field(description="Enterprise / 企业")
    score: int = strawberry.field(description="Score 1-5 / 评分")
    comment: str | None = strawberry.field(description="Comment / 评价")
    rated_at: datetime = strawberry.field(description="Rated at / 评价时间")

    @classmethod
    def from_service(cls, d: dict[str, Any]) -> "SolutionRating":
        return cls(
            solution_id=d["solution_id"],
            engagement_id=d["engagement_id"],
            uscc=d["uscc"],
            score=d["score"],
            comment=d["comment"],
            rated_at=_at(d["rated_at"]),
        )


@strawberry.type(description="A MIIT scenario / 评测场景", name="CatalogueScenario")
class Scenario:
    code: str = strawberry.field(description="Scenario code, S01..S16 / 场景编码")
    name: str = strawberry.field(description="Name / 场景名称")
    mandatory: bool = strawberry.field(description="Counts as mandatory for the level rule / 必选场景")


@strawberry.type(description="A group of MIIT scenarios / 场景分组", name="CatalogueScenarioGroup")
class ScenarioGroup:
    code: str = strawberry.field(description="Group code, G1..G4 / 场景组编码")
    name: str = strawberry.field(description="Name / 分组名称")
    scenarios: list[Scenario] = strawberry.field(description="Scenarios / 场景")

    @classmethod
    def many(cls, data: dict[str, Any]) -> list["ScenarioGroup"]:
        return [
            cls(code=g["code"], name=g["name"], scenarios=[Scenario(**s) for s in g["scenarios"]])
            for g in data["groups"]
        ]


@strawberry.type(description="An item of an industry's common needs list (N) / 行业共性需求")
class CommonNeed:
    code: str = strawberry.field(description="Code / 编号")
    title: str = strawberry.field(description="Title / 需求")
    scenario_codes: list[str] = strawberry.field(description="Scenarios / 关联场景")


@strawberry.type(description="An industry's common needs list / 行业共性需求清单")
class CommonNeedList:
    industry_code: str = strawberry.field(description="Industry / 行业")
    version: int = strawberry.field(description="List version (0 = preset) / 版本")
    items: list[CommonNeed] = strawberry.field(description="Needs / 需求")


@strawberry.type(description="A need of one enterprise / 企业需求", name="EnterpriseNeed")
class Need:
    need_id: str = strawberry.field(description="Need id / 需求标识")
    uscc: str = strawberry.field(description="Enterprise / 企业")
    source: NeedSource = strawberry.field(description="Source / 来源")
    scenario_code: str = strawberry.field(description="Scenario / 场景")
    title: str = strawberry.field(description="Title / 需求")
    common_code: str | None = strawberry.field(description="Common-list code when adopted / 共性需求编号")
    from_level: int | None = strawberry.field(description="Scenario level now (gap analysis) / 当前等级")
    to_level: int | None = strawberry.field(description="Scenario level wanted / 目标等级")
    assessment_id: str | None = strawberry.field(description="Assessment behind it / 来源评测")
    status: NeedStatus = strawberry.field(description="Status / 状态")
    created_at: datetime = strawberry.field(description="Created at / 创建时间")

    @classmethod
    def from_service(cls, d: dict[str, Any]) -> "Need":
        return cls(
            need_id=d["need_id"],
            uscc=d["uscc"],
            source=NeedSource(d["source"]),
            scenario_code=d["scenario_code"],
            title=d["title"],
            common_code=d["common_code"],
            from_level=d["from_level"],
            to_level=d["to_level"],
            assessment_id=d["assessment_id"],
            status=NeedStatus(d["status"]),
            created_at=_at(d["created_at"]),
        )


@strawberry.type(description="One factor of a match score / 匹配因子")
class MatchFactor:
    code: str = strawberry.field(description="Factor code / 因子")
    value: int = strawberry.field(description="Value 0..1000 / 取值（千分制）")
    weight: int = strawberry.field(description="Weight / 权重")
    explanation: str = strawberry.field(description="Why / 说明")


@strawberry.type(description="A ranked solution / 推荐产品")
class RankedSolution:
    rank: int = strawberry.field(description="Rank, 1 = best / 排名")
    solution_id: str = strawberry.field(description="Solution / 产品")
    solution_name: str = strawberry.field(description="Solution name / 产品名称")
    provider_id: str = strawberry.field(description="Provider / 服务商")
    provider_name: str = strawberry.field(description="Provider name / 服务商名称")
    score: int = strawberry.field(description="Score 0..1000 / 匹配得分")
    at_capacity: bool = strawberry.field(description="Provider at capacity, ranked down / 服务商满负荷")
    covered_scenarios: list[str] = strawberry.field(description="Needed scenarios covered / 覆盖的需求场景")
    factors: list[MatchFactor] = strawberry.field(description="Score per factor / 各因子得分")


@strawberry.type(description="A ranked provider (its best solution's score) / 推荐服务商")
class RankedProvider:
    rank: int = strawberry.field(description="Rank / 排名")
    provider_id: str = strawberry.field(description="Provider / 服务商")
    provider_name: str = strawberry.field(description="Name / 名称")
    score: int = strawberry.field(description="Score 0..1000 / 得分")
    at_capacity: bool = strawberry.field(description="At capacity / 满负荷")
    solution_ids: list[str] = strawberry.field(description="Its matching solutions / 匹配产品")


@strawberry.type(description="A provider left out of a ranking / 回避的服务商")
class ExcludedProvider:
    provider_id: str = strawberry.field(description="Provider / 服务商")
    reason: str = strawberry.field(description="Reason code, e.g. conflict_of_interest / 原因")


@strawberry.type(description="Matches for an enterprise / 供需匹配结果")
class MatchResult:
    uscc: str = strawberry.field(description="Enterprise / 企业")
    programme: str = strawberry.field(description="Programme whose weights were used / 项目")
    weights_version: int = strawberry.field(description="Weights version (0 = preset) / 权重版本")
    needed_scenarios: list[str] = strawberry.field(description="Open needs' scenarios / 需求场景")
    solutions: list[RankedSolution] = strawberry.field(description="Ranked solutions / 推荐产品")
    providers: list[RankedProvider] = strawberry.field(description="Ranked providers / 推荐服务商")
    excluded: list[ExcludedProvider] = strawberry.field(description="Excluded (officials only) / 回避")

    @classmethod
    def from_service(cls, d: dict[str, Any]) -> "MatchResult":
        return cls(
            uscc=d["uscc"],
            programme=d["programme"],
            weights_version=d["weights_version"],
            needed_scenarios=d["needed_scenarios"],
            solutions=[
                RankedSolution(**{**s, "factors": [MatchFactor(**f) for f in s["factors"]]})
                for s in d["solutions"]
            ],
            providers=[RankedProvider(**p) for p in d["providers"]],
            excluded=[ExcludedProvider(**e) for e in d["excluded"]],
        )


@strawberry.type(description="An enterprise whose needs fit my products / 潜在客户")
class Prospect:
    uscc: str = strawberry.field(description="Enterprise / 企业")
    name: str = strawberry.field(description="Name / 名称")
    county_code: str = strawberry.field(description="County / 区县")
    industry_code: str = strawberry.field(description="Industry / 行业")
    matched_scenarios: list[str] = strawberry.field(description="Needed scenarios I cover / 匹配场景")
    solution_ids: list[str] = strawberry.field(description="My fitting products / 适配产品")


@strawberry.type(description="A budget or contract line / 预算分项")
class BudgetLine:
    category: SpendingCategory = strawberry.field(description="Category / 类别")
    amount_fen: Fen = strawberry.field(description="Amount in fen / 金额（分）")
    description: str = strawberry.field(description="Description / 说明")

    @classmethod
    def many(cls, lines: list[dict[str, Any]]) -> list["BudgetLine"]:
        return [
            cls(
                category=SpendingCategory(x["category"]),
                amount_fen=x["amount_fen"],
                description=x.get("description") or "",
            )
            for x in lines
        ]


@strawberry.input(description="A budget or contract line / 预算分项")
class BudgetLineInput:
    category: SpendingCategory = strawberry.field(description="Category / 类别")
    amount_fen: Fen = strawberry.field(description="Amount in fen / 金额（分）")
    description: str = strawberry.field(default="", description="Description / 说明")


@strawberry.type(description="A transformation plan / 改造方案", name="TransformationPlan")
class Plan:
    plan_id: str = strawberry.field(description="Plan id / 方案标识")
    engagement_id: str = strawberry.field(description="Engagement / 对接")
    goals: str = strawberry.field(description="Goals / 改造目标")
    scenario_codes: list[str] = strawberry.field(description="Scenarios / 改造场景")
    target_level: int = strawberry.field(description="Target maturity level / 目标等级")
    budget: list[BudgetLine] = strawberry.field(description="Budget lines / 预算")
    total_fen: Fen = strawberry.field(description="Budget total in fen / 预算合计（分）")
    status: PlanStatus = strawberry.field(description="Status / 状态")
    status_reason: str | None = strawberry.field(description="Reason when returned / 退回原因")
    submitted_at: datetime = strawberry.field(description="Submitted at / 提交时间")
    approved_at: datetime | None = strawberry.field(description="Approved at / 确认时间")

    @classmethod
    def from_service(cls, d: dict[str, Any]) -> "Plan":
        return cls(
            plan_id=d["plan_id"],
            engagement_id=d["engagement_id"],
            goals=d["goals"],
            scenario_codes=d["scenario_codes"],
            target_level=d["target_level"],
            budget=BudgetLine.many(d["budget"]),
            total_fen=d["total_fen"],
            status=PlanStatus(d["status"]),
            status_reason=d["status_reason"],
            submitted_at=_at(d["submitted_at"]),
            approved_at=_dt(d["approved_at"]),
        )


@strawberry.type(description="A progress report / 进度报告", name="ProjectMilestone")
class Milestone:
    milestone_id: str = strawberry.field(description="Milestone id / 里程碑标识")
    project_id: str = strawberry.field(description="Project / 项目")
    title: str = strawberry.field(description="Title / 名称")
    progress_percent: int = strawberry.field(description="Progress 0-100 / 进度")
    report: str = strawberry.field(description="Report / 报告")
    reported_at: datetime = strawberry.field(description="Reported at / 报告时间")
    confirmed_at: datetime | None = strawberry.field(
        description="Confirmed by the enterprise at / 企业确认时间"
    )

    @classmethod
    def from_service(cls, d: dict[str, Any]) -> "Milestone":
        return cls(
            milestone_id=d["milestone_id"],
            project_id=d["project_id"],
            title=d["title"],
            progress_percent=d["progress_percent"],
            report=d["report"],
            reported_at=_at(d["reported_at"]),
            confirmed_at=_dt(d["confirmed_at"]),
        )


@strawberry.type(description="A contract attachment / 合同附件", name="ContractAttachment")
class Attachment:
    name: str = strawberry.field(description="File name / 文件名")
    url: str = strawberry.field(description="Where it is stored / 地址")


@strawberry.input(description="A contract attachment / 合同附件", name="ContractAttachmentInput")
class AttachmentInput:
    name: str = strawberry.field(description="File name / 文件名")
    url: str = strawberry.field(description="Where it is stored (http/https) / 地址")


@strawberry.type(
    description="A transformation project with its contract / 改造项目", name="TransformationProject"
)
class Project:
    project_id: str = strawberry.field(description="Project id / 项目标识")
    engagement_id: str = strawberry.field(description="Engagement / 对接")
    uscc: str = strawberry.field(description="Enterprise / 企业")
    provider_id: str = strawberry.field(description="Provider / 服务商")
    contract_id: str = strawberry.field(description="Contract number / 合同编号")
    amount_fen: Fen = strawberry.field(description="Contract amount in fen / 合同金额（分）")
    lines: list[BudgetLine] = strawberry.field(description="Contract lines / 合同分项")
    signed_on: datetime = strawberry.field(description="Signed on / 签订日期")
    starts_on: datetime = strawberry.field(description="Starts on / 开始日期")
    ends_on: datetime = strawberry.field(description="Ends on / 结束日期")
    attachments: list[Attachment] = strawberry.field(description="Attachments / 附件")
    status: ProjectStatus = strawberry.field(description="Status / 状态")
    progress_percent: int = strawberry.field(description="Confirmed progress / 已确认进度")
    completed_at: datetime | None = strawberry.field(description="Completed at / 完成时间")
    milestones: list[Milestone] = strawberry.field(description="Progress reports / 进度报告")

    @classmethod
    def from_service(cls, d: dict[str, Any]) -> "Project":
        return cls(
            project_id=d["project_id"],
            engagement_id=d["engagement_id"],
            uscc=d["uscc"],
            provider_id=d["provider_id"],
            contract_id=d["contract_id"],
            amount_fen=d["amount_fen"],
            lines=BudgetLine.many(d["lines"]),
            signed_on=_at(d["signed_on"]),
            starts_on=_at(d["starts_on"]),
            ends_on=_at(d["ends_on"]),
            attachments=[Attachment(name=a["name"], url=a["url"]) for a in d["attachments"]],
            status=ProjectStatus(d["status"]),
            progress_percent=d["progress_percent"],
            completed_at=_dt(d["completed_at"]),
            milestones=[Milestone.from_service(m) for m in d.get("milestones", [])],
        )


@strawberry.type(description="An enterprise engaged a provider / 服务对接")
class Engagement:
    engagement_id: str = strawberry.field(description="Engagement id / 对接标识")
    uscc: str = strawberry.field(description="Enterprise / 企业")
    county_code: str = strawberry.field(description="Enterprise's county / 区县")
    provider_id: str = strawberry.field(description="Provider / 服务商")
    kind: EngagementKind = strawberry.field(description="Kind / 类型")
    solution_ids: list[str] = strawberry.field(description="Chosen products / 选用产品")
    status: EngagementStatus = strawberry.field(description="Status / 状态")
    status_reason: str | None = strawberry.field(description="Cancellation reason / 取消原因")
    created_at: datetime = strawberry.field(description="Created at / 创建时间")
    closed_at: datetime | None = strawberry.field(description="Closed at / 结束时间")
    plan: Plan | None = strawberry.field(description="Transformation plan / 改造方案")
    project: Project | None = strawberry.field(description="Project, once the contract is signed / 改造项目")

    @classmethod
    def from_service(cls, d: dict[str, Any]) -> "Engagement":
        return cls(
            engagement_id=d["engagement_id"],
            uscc=d["uscc"],
            county_code=d["county_code"],
            provider_id=d["provider_id"],
            kind=EngagementKind(d["kind"]),
            solution_ids=d["solution_ids"],
            status=EngagementStatus(d["status"]),
            status_reason=d["status_reason"],
            created_at=_at(d["created_at"]),
            closed_at=_dt(d["closed_at"]),
            plan=Plan.from_service(d["plan"]) if d.get("plan") else None,
            project=Project.from_service(d["project"]) if d.get("project") else None,
        )


@strawberry.type(description="A page of engagements / 对接分页")
class EngagementPage(Connection[Engagement]):
    items: list[Engagement] = strawberry.field(description="This page / 本页")
    total: int = strawberry.field(description="All matching the filters / 总数")
    next_cursor: str | None = strawberry.field(description="Cursor of the next page / 下一页游标")


@strawberry.type(description="A version of a rule document / 规则版本", name="MatchingRule")
class RuleDocument:
    kind: RuleKind = strawberry.field(description="Kind / 类型")
    scope: str = strawberry.field(description="default or a programme id / 适用范围")
    version: int = strawberry.field(description="Version (0 = the preset) / 版本")
    document: JSON = strawberry.field(description="The document / 规则内容")

    @classmethod
    def from_service(cls, d: dict[str, Any]) -> "RuleDocument":
        return cls(kind=RuleKind(d["kind"]), scope=d["scope"], version=d["version"], document=d["document"])


@strawberry.enum(description="Kind of programme activity / 活动类型")
class ActivityKind(Enum):
    MATCHMAKING = strawberry.enum_value("matchmaking", description="供需对接会 matchmaking meeting")
    TRAINING = strawberry.enum_value("training", description="培训 training")
    SITE_VISIT = strawberry.enum_value("site_visit", description="观摩 site visit")


@strawberry.enum(description="Activity status / 活动状态")
class ActivityStatus(Enum):
    PLANNED = strawberry.enum_value("planned", description="计划中 planned, open for sign-up")
    HELD = strawberry.enum_value("held", description="已举办 held, outcome recorded")
    CANCELLED = strawberry.enum_value("cancelled", description="已取消 cancelled")


@strawberry.type(description="A programme activity / 活动（对接会、培训、观摩）", name="ProgrammeActivity")
class Activity:
    activity_id: str = strawberry.field(description="Activity id / 活动标识")
    programme: str = strawberry.field(description="Programme / 项目")
    kind: ActivityKind = strawberry.field(description="Kind / 类型")
    title: str = strawberry.field(description="Title / 名称")
    county_code: str | None = strawberry.field(description="Organising county; null = city-wide / 区县")
    industry_code: str | None = strawberry.field(description="Industry / 行业")
    starts_at: datetime = strawberry.field(description="Starts at / 开始时间")
    location: str = strawberry.field(description="Location / 地点")
    capacity: int = strawberry.field(description="Capacity / 名额")
    status: ActivityStatus = strawberry.field(description="Status / 状态")
    contacts_made: int = strawberry.field(description="Contacts made / 对接意向数")
    outcome_notes: str = strawberry.field(description="Outcome notes / 成效说明")
    registered: int = strawberry.field(description="Sign-ups / 报名数")
    attended: int = strawberry.field(description="Attendees / 到场数")

    @classmethod
    def from_service(cls, d: dict[str, Any]) -> "Activity":
        return cls(
            **{
                **d,
                "kind": ActivityKind(d["kind"]),
                "status": ActivityStatus(d["status"]),
                "starts_at": _at(d["starts_at"]),
            }
        )


@strawberry.type(description="A page of activities / 活动分页", name="ProgrammeActivityPage")
class ActivityPage(Connection[Activity]):
    items: list[Activity] = strawberry.field(description="This page / 本页")
    total: int = strawberry.field(description="All matching the filters / 总数")
    next_cursor: str | None = strawberry.field(description="Cursor of the next page / 下一页游标")


@strawberry.type(description="A sign-up / 报名", name="ActivityRegistration")
class Registration:
    id: int = strawberry.field(description="Registration id / 报名标识")
    activity_id: str = strawberry.field(description="Activity / 活动")
    uscc: str | None = strawberry.field(description="Enterprise / 企业")
    provider_id: str | None = strawberry.field(description="Provider / 服务商")
    person_name: str | None = strawberry.field(description="Person / 人员")
    trainee_role: str | None = strawberry.field(description="Role counted by training targets / 培训角色")
    attended: bool = strawberry.field(description="Attended / 是否到场")
    registered_at: datetime = strawberry.field(description="Registered at / 报名时间")

    @classmethod
    def from_service(cls, d: dict[str, Any]) -> "Registration":
        return cls(**{**d, "registered_at": _at(d["registered_at"])})


@strawberry.type(description="People trained in one role / 分角色培训人数")
class RoleCount:
    role: str = strawberry.field(description="Role / 角色")
    count: int = strawberry.field(description="People / 人数")


@strawberry.type(description="Counts of one kind of activity / 分类统计")
class ActivityKindStats:
    kind: ActivityKind = strawberry.field(description="Kind / 类型")
    held: int = strawberry.field(description="Activities held / 举办场次")
    attendees: int = strawberry.field(description="Attendees / 参加人次")
    contacts_made: int = strawberry.field(description="Contacts made / 对接意向数")
    trained_by_role: list[RoleCount] = strawberry.field(
        description="Trained people per role / 分角色培训人数"
    )
    engagements_followed: int = strawberry.field(description="Engagements that followed / 促成对接数")

    @classmethod
    def from_service(cls, d: dict[str, Any]) -> "ActivityKindStats":
        return cls(
            kind=ActivityKind(d["kind"]),
            held=d["held"],
            attendees=d["attendees"],
            contacts_made=d["contacts_made"],
            trained_by_role=[RoleCount(role=k, count=v) for k, v in d["trained_by_role"].items()],
            engagements_followed=d["engagements_followed"],
        )


@strawberry.type(description="Facts behind a provider's periodic rating / 考评依据")
class RatingFacts:
    provider_id: str = strawberry.field(description="Provider / 服务商")
    period: str = strawberry.field(description="Period / 考评期")
    projects_completed: int = strawberry.field(description="Projects completed / 完成项目数")
    on_time: int = strawberry.field(description="Completed by the contract end / 按期完成数")
    accepted: int = strawberry.field(description="With an acceptance result / 已验收数")
    accepted_level2: int = strawberry.field(description="Certified level 2 or higher / 验收达二级及以上数")
    satisfaction_count: int = strawberry.field(description="Enterprise ratings / 企业评价数")
    satisfaction_avg_centi: int | None = strawberry.field(
        description="Mean enterprise rating x100 / 满意度x100"
    )
    suggested_scores: list[DimensionScore] = strawberry.field(description="Suggested scores / 建议评分")

    @classmethod
    def from_service(cls, d: dict[str, Any]) -> "RatingFacts":
        return cls(**{**d, "suggested_scores": DimensionScore.many(d["suggested_scores"])})


@strawberry.type(description="An expert's review of a product / 产品专家评审")
class SolutionReview:
    solution_id: str = strawberry.field(description="Solution / 产品")
    expert: str = strawberry.field(description="Expert subject / 专家")
    scores: list[DimensionScore] = strawberry.field(description="Scores / 评分")
    total_centi: int = strawberry.field(description="Weighted total x100 / 加权总分x100")
    sheet_version: int = strawberry.field(description="Scoring sheet version / 评分表版本")
    comment: str | None = strawberry.field(description="Comment / 意见")
    reviewed_at: datetime = strawberry.field(description="Reviewed at / 评审时间")

    @classmethod
    def from_service(cls, d: dict[str, Any]) -> "SolutionReview":
        return cls(**{**d, "scores": DimensionScore.many(d["scores"]), "reviewed_at": _at(d["reviewed_at"])})


@strawberry.type(description="A page of a product's expert reviews / 产品专家评审分页")
class SolutionReviewPage(Connection[SolutionReview]):
    items: list[SolutionReview] = strawberry.field(description="Reviews / 评审")
    total: int = strawberry.field(description="Total matching / 总数")
    next_cursor: str | None = strawberry.field(description="Cursor of the next page / 下一页游标")


@strawberry.type(description="A page of a product's ratings / 产品评价分页")
class SolutionRatingPage(Connection[SolutionRating]):
    items: list[SolutionRating] = strawberry.field(description="Ratings / 评价")
    total: int = strawberry.field(description="Total matching / 总数")
    next_cursor: str | None = strawberry.field(description="Cursor of the next page / 下一页游标")


@strawberry.enum(description="Order of an enterprise's needs; keep it while paging / 企业需求排序")
class NeedOrder(Enum):
    SCENARIO = strawberry.enum_value(
        "scenario", description="By scenario code, the default / 按场景编码（默认）"
    )
    CREATED_NEWEST = strawberry.enum_value("created_newest", description="Newest first / 按创建时间倒序")


@strawberry.type(description="A page of an enterprise's N+X needs / 企业需求分页")
class NeedPage(Connection[Need]):
    items: list[Need] = strawberry.field(description="Needs / 需求")
    total: int = strawberry.field(description="Total matching / 总数")
    next_cursor: str | None = strawberry.field(description="Cursor of the next page / 下一页游标")


@strawberry.enum(description="Order of a provider's prospects; keep it while paging / 潜在客户排序")
class ProspectOrder(Enum):
    MATCHED_MOST = strawberry.enum_value(
        "matched_most",
        description="Most matched scenarios first, then USCC (default) / 按匹配场景数从多到少（默认）",
    )


@strawberry.type(description="A page of a provider's prospects / 潜在客户分页")
class ProspectPage(Connection[Prospect]):
    items: list[Prospect] = strawberry.field(description="Prospects / 潜在客户")
    total: int = strawberry.field(description="Total matching / 总数")
    next_cursor: str | None = strawberry.field(description="Cursor of the next page / 下一页游标")


@strawberry.enum(description="Order of an activity's sign-ups; keep it while paging / 报名名单排序")
class RegistrationOrder(Enum):
    SIGNED_OLDEST = strawberry.enum_value(
        "signed_oldest", description="In the order signed up, the default / 按报名先后（默认）"
    )
    SIGNED_NEWEST = strawberry.enum_value("signed_newest", description="Latest sign-ups first / 最新报名在前")


@strawberry.type(description="A page of an activity's sign-ups / 报名名单分页")
class RegistrationPage(Connection[Registration]):
    items: list[Registration] = strawberry.field(description="Sign-ups / 报名")
    total: int = strawberry.field(description="Total matching / 总数")
    next_cursor: str | None = strawberry.field(description="Cursor of the next page / 下一页游标")
