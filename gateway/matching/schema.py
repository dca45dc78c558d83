"""The matching part of the GraphQL schema: provider pool, solution catalogue, needs, matching,
engagements and transformation projects. The gateway forwards the caller's token; the service authorises."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gateway.errors import GatewayError, UserError, user_errors
from gateway.matching.types import (
    Activity,
    ActivityKind,
    ActivityKindStats,
    ActivityOrder,
    ActivityPage,
    AttachmentInput,
    BudgetLineInput,
    CommonNeed,
    CommonNeedList,
    Deployment,
    DimensionScoreInput,
    Engagement,
    EngagementKind,
    EngagementOrder,
    EngagementPage,
    EngagementStatus,
    Fen,
    MatchResult,
    Milestone,
    Need,
    NeedOrder,
    NeedPage,
    Plan,
    PlanDecision,
    PriceModel,
    Project,
    Prospect,
    ProspectOrder,
    ProspectPage,
    Provider,
    ProviderKind,
    ProviderOrder,
    ProviderPage,
    ProviderRating,
    ProviderRatingOrder,
    ProviderRatingPage,
    ProviderReview,
    ProviderReviewPage,
    ProviderStatus,
    ProviderStatusAction,
    RatingFacts,
    Registration,
    RegistrationOrder,
    RegistrationPage,
    ReviewDecision,
    ReviewOrder,
    RuleDocument,
    RuleKind,
    ScenarioGroup,
    Solution,
    SolutionOrder,
    SolutionPage,
    SolutionRating,
    SolutionRatingOrder,
    SolutionRatingPage,
    SolutionReview,
    SolutionReviewPage,
    SolutionStatus,
)
from gateway.pagination import After, DeprecatedCursor, DeprecatedLimit, First, OptionalFirst, service_page

CALLER_ERRORS = {409, 422}
T = TypeVar("T")


def _p(value: str) -> str:
    """A path segment from caller input, so that it cannot reach another route."""
    return quote(value, safe="")


def _limit(info: Info[Any, Any], limit: int) -> int:
    return max(1, min(limit, info.context.settings.gateway_max_page_size))


async def _get(info: Info[Any, Any], path: str, **params: Any) -> Any:
    query = {k: v for k, v in params.items() if v is not None}
    return await info.context.clients.matching.get(path, info.context.token, params=query)


async def _post(
    info: Info[Any, Any], path: str, body: dict[str, Any] | None, build: Callable[[Any], T]
) -> tuple[T | None, list[UserError]]:
    try:
        data = await info.context.clients.matching.post(path, info.context.token, json=body)
    except GatewayError as error:
        if error.status in CALLER_ERRORS:
            return None, user_errors(error)
        raise
    return build(data), []


def _scores(scores: list[DimensionScoreInput]) -> dict[str, int]:
    return {s.code: s.score for s in scores}


def _lines(lines: list[BudgetLineInput]) -> list[dict[str, Any]]:
    return [
        {"category": x.category.value, "amount_fen": x.amount_fen, "description": x.description}
        for x in lines
    ]


# ---- inputs ----------------------------------------------------------------------------------------


@strawberry.input(description="A case / 案例")
class CaseInput:
    title: str = strawberry.field(description="Title / 案例名称")
    customer: str | None = strawberry.field(default=None, description="Customer / 客户")
    description: str | None = strawberry.field(default=None, description="Description / 说明")


@strawberry.input(
    description="Application to the provider pool (the caller's own provider id) / 服务商入库申请"
)
class ApplyProviderInput:
    uscc: str = strawberry.field(description="The company's USCC / 统一社会信用代码")
    name: str = strawberry.field(description="Name / 名称")
    kind: ProviderKind = strawberry.field(description="Kind / 类型")
    industries: list[str] = strawberry.field(description="Industries served / 服务行业")
    counties: list[str] = strawberry.field(description="Counties served / 服务区县")
    staff_on_site: int = strawberry.field(description="Local support staff / 本地服务人员数")
    cases: list[CaseInput] = strawberry.field(default_factory=list, description="Cases / 案例")
    certifications: list[str] = strawberry.field(default_factory=list, description="Certifications / 资质")
    related_usccs: list[str] = strawberry.field(
        default_factory=list, description="Companies linked by ownership or legal person / 关联企业"
    )


@strawberry.input(description="An expert's scoring sheet / 专家评分")
class ReviewProviderInput:
    provider_id: str = strawberry.field(description="Provider / 服务商")
    scores: list[DimensionScoreInput] = strawberry.field(description="One score per dimension / 各维度评分")
    comment: str | None = strawberry.field(default=None, description="Comment / 意见")


@strawberry.input(description="The city's decision on an application / 入库决定")
class DecideProviderInput:
    provider_id: str = strawberry.field(description="Provider / 服务商")
    decision: ReviewDecision = strawberry.field(description="APPROVE (into public notice) or REJECT / 决定")
    reason: str | None = strawberry.field(default=None, description="Reason (required to reject) / 原因")
    notice_days: int = strawberry.field(default=7, description="Public notice days / 公示天数")


@strawberry.input(description="A roster action / 动态管理")
class ChangeProviderStatusInput:
    provider_id: str = strawberry.field(description="Provider / 服务商")
    action: ProviderStatusAction = strawberry.field(description="Action / 操作")
    reason: str = strawberry.field(description="Reason / 原因")


@strawberry.input(description="A periodic rating / 考评")
class RateProviderInput:
    provider_id: str = strawberry.field(description="Provider / 服务商")
    period: str = strawberry.field(description="2026-11, 2026-Q4 or 2026 / 考评期")
    scores: list[DimensionScoreInput] = strawberry.field(description="One score per dimension / 各维度评分")


@strawberry.input(description="A product for the catalogue / 产品申报")
class SubmitSolutionInput:
    name: str = strawberry.field(description="Name / 名称")
    description: str = strawberry.field(default="", description="Description / 简介")
    scenario_codes: list[str] = strawberry.field(description="Scenarios covered / 覆盖场景")
    industries: list[str] = strawberry.field(
        default_factory=list, description="Industries; empty = any / 行业"
    )
    deployment: Deployment = strawberry.field(description="Deployment / 部署方式")
    price_model: PriceModel = strawberry.field(description="Price model / 计价方式")
    list_price_fen: Fen = strawberry.field(description="List price in fen / 标价（分）")
    implementation_days: int = strawberry.field(description="Implementation days / 实施周期")
    claimed_level_gain: int = strawberry.field(
        default=0, description="Levels it claims to add / 宣称提升等级"
    )
    claimed_effect: str = strawberry.field(default="", description="Claimed effect / 预期成效")
    cases: list[CaseInput] = strawberry.field(default_factory=list, description="Cases / 案例")


@strawberry.input(description="The city's decision on a product / 产品审核")
class DecideSolutionInput:
    solution_id: str = strawberry.field(description="Solution / 产品")
    decision: ReviewDecision = strawberry.field(
        description="APPROVE (into public notice), REJECT or DELIST / 决定"
    )
    reason: str | None = strawberry.field(default=None, description="Reason / 原因")
    notice_days: int = strawberry.field(default=7, description="Public notice days / 公示天数")


@strawberry.input(description="An expert's scoring sheet for a product / 产品专家评分")
class ReviewSolutionInput:
    solution_id: str = strawberry.field(description="Solution / 产品")
    scores: list[DimensionScoreInput] = strawberry.field(description="One score per dimension / 各维度评分")
    comment: str | None = strawberry.field(default=None, description="Comment / 意见")


@strawberry.input(description="Rating of a product after use / 产品评价")
class RateSolutionInput:
    solution_id: str = strawberry.field(description="Solution / 产品")
    engagement_id: str = strawberry.field(description="Completed engagement that used it / 对接")
    score: int = strawberry.field(description="Score 1-5 / 评分")
    comment: str | None = strawberry.field(default=None, description="Comment / 评价")


@strawberry.input(
    description="Adopt a common need (commonCode) or state one (scenarioCode + title) / 新增需求"
)
class AddNeedInput:
    uscc: str = strawberry.field(description="Enterprise / 企业")
    common_code: str | None = strawberry.field(default=None, description="Common-list code / 共性需求编号")
    scenario_code: str | None = strawberry.field(default=None, description="Scenario / 场景")
    title: str | None = strawberry.field(default=None, description="Title / 需求")


@strawberry.input(description="A new version of a rule document (city) / 发布规则")
class PublishRuleInput:
    kind: RuleKind = strawberry.field(description="Kind / 类型")
    scope: str = strawberry.field(default="default", description="default or a programme id / 适用范围")
    document: JSON = strawberry.field(description="The document / 规则内容")


@strawberry.input(description="Engage a provider / 发起服务对接")
class CreateEngagementInput:
    uscc: str = strawberry.field(description="Enterprise / 企业")
    provider_id: str = strawberry.field(description="Provider / 服务商")
    kind: EngagementKind = strawberry.field(description="Kind / 类型")
    solution_ids: list[str] = strawberry.field(default_factory=list, description="Chosen products / 选用产品")


@strawberry.input(description="A transformation plan (provider) / 提交改造方案")
class SubmitPlanInput:
    engagement_id: str = strawberry.field(description="Engagement / 对接")
    goals: str = strawberry.field(description="Goals / 改造目标")
    scenario_codes: list[str] = strawberry.field(description="Scenarios / 改造场景")
    target_level: int = strawberry.field(description="Target level 2-4 / 目标等级")
    budget: list[BudgetLineInput] = strawberry.field(description="Budget lines / 预算")


@strawberry.input(description="The enterprise's decision on its plan / 方案确认")
class DecidePlanInput:
    engagement_id: str = strawberry.field(description="Engagement / 对接")
    decision: PlanDecision = strawberry.field(description="Decision / 决定")
    reason: str | None = strawberry.field(default=None, description="Reason (required to return) / 原因")


@strawberry.input(description="The signed contract / 合同登记")
class SignContractInput:
    engagement_id: str = strawberry.field(description="Engagement / 对接")
    contract_id: str = strawberry.field(description="Contract number / 合同编号")
    amount_fen: Fen = strawberry.field(description="Amount in fen / 合同金额（分）")
    lines: list[BudgetLineInput] | None = strawberry.field(
        default=None, description="Lines; default: the approved plan's budget / 合同分项"
    )
    signed_on: datetime = strawberry.field(description="Signed on / 签订日期")
    starts_on: datetime = strawberry.field(description="Starts on / 开始日期")
    ends_on: datetime = strawberry.field(description="Ends on / 结束日期")
    attachments: list[AttachmentInput] = strawberry.field(
        default_factory=list, description="Attachments / 附件"
    )


@strawberry.input(description="Cancel an engagement / 取消对接")
class CancelEngagementInput:
    engagement_id: str = strawberry.field(description="Engagement / 对接")
    reason: str = strawberry.field(description="Reason / 原因")


@strawberry.input(description="A progress report (provider) / 进度报告")
class ReportMilestoneInput:
    project_id: str = strawberry.field(description="Project / 项目")
    title: str = strawberry.field(description="Title / 名称")
    progress_percent: int = strawberry.field(description="Progress 0-100 / 进度")
    report: str = strawberry.field(default="", description="Report / 报告")


@strawberry.input(description="A new programme activity / 新建活动")
class CreateActivityInput:
    programme: str = strawberry.field(default="default", description="Programme / 项目")
    kind: ActivityKind = strawberry.field(description="Kind / 类型")
    title: str = strawberry.field(description="Title / 名称")
    county_code: str | None = strawberry.field(
        default=None, description="Organising county; null = city-wide / 主办区县（空为全市）"
    )
    industry_code: str | None = strawberry.field(default=None, description="Industry / 行业")
    starts_at: datetime = strawberry.field(description="Starts at / 开始时间")
    location: str = strawberry.field(default="", description="Location / 地点")
    capacity: int = strawberry.field(description="Capacity / 名额")


@strawberry.input(description="Sign up: yourself, or (organiser) an enterprise, provider or person / 报名")
class RegisterForActivityInput:
    activity_id: str = strawberry.field(description="Activity / 活动")
    uscc: str | None = strawberry.field(default=None, description="Enterprise (organiser only) / 企业")
    provider_id: str | None = strawberry.field(default=None, description="Provider (organiser only) / 服务商")
    person_name: str | None = strawberry.field(default=None, description="Person (organiser only) / 人员")
    trainee_role: str | None = strawberry.field(
        default=None, description="Role for training counts / 培训角色"
    )


# ---- payloads --------------------------------------------------------------------------------------


@strawberry.type(description="Result of a provider mutation / 服务商操作结果")
class ProviderPayload:
    provider: Provider | None = strawberry.field(description="The provider; null on error / 服务商")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


@strawberry.type(description="Result of reviewProvider / 评审结果")
class ProviderReviewPayload:
    review: ProviderReview | None = strawberry.field(description="The review; null on error / 评审")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


@strawberry.type(description="Result of rateProvider / 考评结果")
class ProviderRatingPayload:
    rating: ProviderRating | None = strawberry.field(description="The rating; null on error / 考评")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


@strawberry.type(description="Result of a solution mutation / 产品操作结果")
class SolutionPayload:
    solution: Solution | None = strawberry.field(description="The solution; null on error / 产品")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


@strawberry.type(description="Result of reviewSolution / 产品评审结果")
class SolutionReviewPayload:
    review: SolutionReview | None = strawberry.field(description="The review; null on error / 评审")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


@strawberry.type(description="Result of rateSolution / 产品评价结果")
class SolutionRatingPayload:
    rating: SolutionRating | None = strawberry.field(description="The rating; null on error / 评价")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


@strawberry.type(description="Result of a need mutation / 需求操作结果")
class NeedPayload:
    need: Need | None = strawberry.field(description="The need; null on error / 需求")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


@strawberry.type(description="Result of publishRule / 规则发布结果")
class RulePayload:
    rule: RuleDocument | None = strawberry.field(description="The new version; null on error / 规则")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


@strawberry.type(description="Result of an engagement mutation / 对接操作结果")
class EngagementPayload:
    engagement: Engagement | None = strawberry.field(description="The engagement; null on error / 对接")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


@strawberry.type(description="Result of a plan mutation / 方案操作结果")
class PlanPayload:
    plan: Plan | None = strawberry.field(description="The plan; null on error / 方案")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


@strawberry.type(description="Result of a project mutation / 项目操作结果")
class ProjectPayload:
    project: Project | None = strawberry.field(description="The project; null on error / 项目")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


@strawberry.type(description="Result of a milestone mutation / 里程碑操作结果")
class MilestonePayload:
    milestone: Milestone | None = strawberry.field(description="The milestone; null on error / 里程碑")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


@strawberry.type(description="Result of an activity mutation / 活动操作结果")
class ActivityPayload:
    activity: Activity | None = strawberry.field(description="The activity; null on error / 活动")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


@strawberry.type(description="Result of a sign-up or attendance mutation / 报名操作结果")
class RegistrationsPayload:
    registrations: list[Registration] = strawberry.field(description="Affected sign-ups / 报名")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


# ---- queries ---------------------------------------------------------------------------------------


@strawberry.type
class MatchingQuery:
    @strawberry.field(description="The 16 MIIT scenarios in four groups / 评测场景清单")
    async def scenario_groups(self, info: Info[Any, Any]) -> list[ScenarioGroup]:
        return ScenarioGroup.many(await _get(info, "/scenarios"))

    @strawberry.field(description="Providers; officials see every status / 服务商名录")
    async def providers(
        self,
        info: Info[Any, Any],
        status: ProviderStatus | None = None,
        kind: ProviderKind | None = None,
        industry: str | None = None,
        county: str | None = None,
        first: OptionalFirst = None,
        after: After = None,
        cursor: DeprecatedCursor = None,
        limit: DeprecatedLimit = 50,
        order_by: Annotated[
            ProviderOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = ProviderOrder.ID,
    ) -> ProviderPage:
        return await service_page(
            info,
            info.context.clients.matching,
            "/providers",
            {
                "status": status.value if status else None,
                "kind": kind.value if kind else None,
                "industry": industry,
                "county": county,
            },
            order_by,
            limit if first is None else first,
            after or cursor,
            ProviderPage,
            Provider.from_service,
        )

    @strawberry.field(description="One provider / 服务商")
    async def provider(self, provider_id: str, info: Info[Any, Any]) -> Provider:
        return Provider.from_service(await _get(info, f"/providers/{_p(provider_id)}"))

    @strawberry.field(
        description="Expert reviews of an application / 专家评审",
        deprecation_reason="Unbounded; use `providerReviewsPage` / 请改用 providerReviewsPage（分页）",
    )
    async def provider_reviews(self, provider_id: str, info: Info[Any, Any]) -> list[ProviderReview]:
        return [
            ProviderReview.from_service(r) for r in await _get(info, f"/providers/{_p(provider_id)}/reviews")
        ]

    @strawberry.field(
        description="Expert reviews of a provider application, sorted, keyset-paginated / 专家评审（分页）"
    )
    async def provider_reviews_page(
        self,
        provider_id: str,
        info: Info[Any, Any],
        first: First = 50,
        after: After = None,
        order_by: Annotated[
            ReviewOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = ReviewOrder.FILED_OLDEST,
    ) -> ProviderReviewPage:
        return await service_page(
            info,
            info.context.clients.matching,
            f"/providers/{_p(provider_id)}/reviews/page",
            {},
            order_by,
            first,
            after,
            ProviderReviewPage,
            ProviderReview.from_service,
        )

    @strawberry.field(
        description="A provider's ratings, newest first (its own, or officials) / 考评记录",
        deprecation_reason="Unpaginated; use `providerRatingsPage` / 请改用 providerRatingsPage（分页）",
    )
    async def provider_ratings(self, provider_id: str, info: Info[Any, Any]) -> list[ProviderRating]:
        return [
            ProviderRating.from_service(r) for r in await _get(info, f"/providers/{_p(provider_id)}/ratings")
        ]

    @strawberry.field(
        description="A provider's ratings, sorted, keyset-paginated (own, or officials) / 考评记录（分页）"
    )
    async def provider_ratings_page(
        self,
        provider_id: str,
        info: Info[Any, Any],
        first: First = 50,
        after: After = None,
        order_by: Annotated[
            ProviderRatingOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = ProviderRatingOrder.PERIOD_NEWEST,
    ) -> ProviderRatingPage:
        return await service_page(
            info,
            info.context.clients.matching,
            f"/providers/{_p(provider_id)}/ratings/page",
            {},
            order_by,
            first,
            after,
            ProviderRatingPage,
            ProviderRating.from_service,
        )

    @strawberry.field(description="Facts behind a periodic rating, with suggested scores / 考评依据")
    async def provider_rating_facts(self, provider_id: str, period: str, info: Info[Any, Any]) -> RatingFacts:
        return RatingFacts.from_service(
            await _get(info, f"/providers/{_p(provider_id)}/rating-facts", period=period)
        )

    @strawberry.field(
        description="Enterprises whose needs fit my products (provider) / 潜在客户",
        deprecation_reason="Unbounded; use `prospectsPage` / 请改用 prospectsPage（分页）",
    )
    async def prospects(self, provider_id: str, info: Info[Any, Any]) -> list[Prospect]:
        data = await _get(info, f"/providers/{_p(provider_id)}/prospects")
        return [Prospect(**p) for p in data["items"]]

    @strawberry.field(
        description="Enterprises whose needs fit my products, keyset-paginated (provider) / 潜在客户（分页）"
    )
    async def prospects_page(
        self,
        provider_id: str,
        info: Info[Any, Any],
        first: First = 50,
        after: After = None,
        order_by: Annotated[
            ProspectOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = ProspectOrder.MATCHED_MOST,
    ) -> ProspectPage:
        return await service_page(
            info,
            info.context.clients.matching,
            f"/providers/{_p(provider_id)}/prospects/page",
            {},
            order_by,
            first,
            after,
            ProspectPage,
            lambda p: Prospect(**p),
        )

    @strawberry.field(description="The 小快轻准 catalogue / 产品目录")
    async def solutions(
        self,
        info: Info[Any, Any],
        status: SolutionStatus | None = None,
        provider_id: str | None = None,
        scenario: str | None = None,
        industry: str | None = None,
        excellent_year: int | None = None,
        first: OptionalFirst = None,
        after: After = None,
        cursor: DeprecatedCursor = None,
        limit: DeprecatedLimit = 50,
        order_by: Annotated[
            SolutionOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = SolutionOrder.ID,
    ) -> SolutionPage:
        return await service_page(
            info,
            info.context.clients.matching,
            "/solutions",
            {
                "status": status.value if status else None,
                "provider_id": provider_id,
                "scenario": scenario,
                "industry": industry,
                "excellent_year": excellent_year,
            },
            order_by,
            limit if first is None else first,
            after or cursor,
            SolutionPage,
            Solution.from_service,
        )

    @strawberry.field(description="One solution / 产品")
    async def solution(self, solution_id: str, info: Info[Any, Any]) -> Solution:
        return Solution.from_service(await _get(info, f"/solutions/{_p(solution_id)}"))

    @strawberry.field(
        description="Expert reviews of a product / 产品专家评审",
        deprecation_reason="Unbounded; use `solutionReviewsPage` / 请改用 solutionReviewsPage（分页）",
    )
    async def solution_reviews(self, solution_id: str, info: Info[Any, Any]) -> list[SolutionReview]:
        return [
            SolutionReview.from_service(r) for r in await _get(info, f"/solutions/{_p(solution_id)}/reviews")
        ]

    @strawberry.field(
        description="Expert reviews of a product, sorted, keyset-paginated / 产品专家评审（分页）"
    )
    async def solution_reviews_page(
        self,
        solution_id: str,
        info: Info[Any, Any],
        first: First = 50,
        after: After = None,
        order_by: Annotated[
            ReviewOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = ReviewOrder.FILED_OLDEST,
    ) -> SolutionReviewPage:
        return await service_page(
            info,
            info.context.clients.matching,
            f"/solutions/{_p(solution_id)}/reviews/page",
            {},
            order_by,
            first,
            after,
            SolutionReviewPage,
            SolutionReview.from_service,
        )

    @strawberry.field(
        description="Ratings of a product (unpaginated) / 产品评价（不分页）",
        deprecation_reason="Unbounded; use `solutionRatingsPage` / 请改用 solutionRatingsPage（分页）",
    )
    async def solution_ratings(self, solution_id: str, info: Info[Any, Any]) -> list[SolutionRating]:
        return [
            SolutionRating.from_service(r) for r in await _get(info, f"/solutions/{_p(solution_id)}/ratings")
        ]

    @strawberry.field(description="Ratings of a product, sorted, keyset-paginated / 产品评价（分页）")
    async def solution_ratings_page(
        self,
        solution_id: str,
        info: Info[Any, Any],
        first: First = 50,
        after: After = None,
        order_by: Annotated[
            SolutionRatingOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = SolutionRatingOrder.RATED_OLDEST,
    ) -> SolutionRatingPage:
        return await service_page(
            info,
            info.context.clients.matching,
            f"/solutions/{_p(solution_id)}/ratings/page",
            {},
            order_by,
            first,
            after,
            SolutionRatingPage,
            SolutionRating.from_service,
        )

    @strawberry.field(description="An industry's common needs list (N) / 行业共性需求清单")
    async def common_needs(self, industry_code: str, info: Info[Any, Any]) -> CommonNeedList:
        data = await _get(info, f"/common-needs/{_p(industry_code)}")
        return CommonNeedList(
            industry_code=data["industry_code"],
            version=data["version"],
            items=[CommonNeed(**i) for i in data["items"]],
        )

    @strawberry.field(
        description="An enterprise's N+X needs / 企业需求",
        deprecation_reason="Unbounded; use `needsPage` / 请改用 needsPage（分页）",
    )
    async def needs(self, uscc: str, info: Info[Any, Any]) -> list[Need]:
        return [Need.from_service(n) for n in await _get(info, f"/enterprises/{_p(uscc)}/needs")]

    @strawberry.field(description="An enterprise's N+X needs, sorted, keyset-paginated / 企业需求（分页）")
    async def needs_page(
        self,
        uscc: str,
        info: Info[Any, Any],
        first: First = 50,
        after: After = None,
        order_by: Annotated[
            NeedOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = NeedOrder.SCENARIO,
    ) -> NeedPage:
        return await service_page(
            info,
            info.context.clients.matching,
            f"/enterprises/{_p(uscc)}/needs/page",
            {},
            order_by,
            first,
            after,
            NeedPage,
            Need.from_service,
        )

    @strawberry.field(description="Ranked solutions and providers for an enterprise / 供需匹配")
    async def matches(
        self,
        uscc: str,
        info: Info[Any, Any],
        programme: str = "default",
        budget_fen: Fen | None = None,
        limit: int = 20,
    ) -> MatchResult:
        data = await _get(
            info,
            f"/enterprises/{_p(uscc)}/matches",
            programme=programme,
            budget_fen=budget_fen,
            limit=_limit(info, limit),
        )
        return MatchResult.from_service(data)

    @strawberry.field(description="Engagements visible to the caller / 服务对接")
    async def engagements(
        self,
        info: Info[Any, Any],
        uscc: str | None = None,
        provider_id: str | None = None,
        status: EngagementStatus | None = None,
        first: OptionalFirst = None,
        after: After = None,
        cursor: DeprecatedCursor = None,
        limit: DeprecatedLimit = 50,
        order_by: Annotated[
            EngagementOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = EngagementOrder.ID,
    ) -> EngagementPage:
        return await service_page(
            info,
            info.context.clients.matching,
            "/engagements",
            {"uscc": uscc, "provider_id": provider_id, "status": status.value if status else None},
            order_by,
            limit if first is None else first,
            after or cursor,
            EngagementPage,
            Engagement.from_service,
        )

    @strawberry.field(description="One engagement with its plan and project / 服务对接")
    async def engagement(self, engagement_id: str, info: Info[Any, Any]) -> Engagement:
        return Engagement.from_service(await _get(info, f"/engagements/{_p(engagement_id)}"))

    @strawberry.field(description="One transformation project / 改造项目")
    async def transformation_project(self, project_id: str, info: Info[Any, Any]) -> Project:
        return Project.from_service(await _get(info, f"/projects/{_p(project_id)}"))

    @strawberry.field(description="Programme activities / 对接会、培训、观摩")
    async def activities(
        self,
        info: Info[Any, Any],
        programme: str | None = None,
        kind: ActivityKind | None = None,
        first: OptionalFirst = None,
        after: After = None,
        cursor: DeprecatedCursor = None,
        limit: DeprecatedLimit = 50,
        order_by: Annotated[
            ActivityOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = ActivityOrder.ID,
    ) -> ActivityPage:
        return await service_page(
            info,
            info.context.clients.matching,
            "/activities",
            {"programme": programme, "kind": kind.value if kind else None},
            order_by,
            limit if first is None else first,
            after or cursor,
            ActivityPage,
            Activity.from_service,
        )

    @strawberry.field(description="One activity / 活动")
    async def activity(self, activity_id: str, info: Info[Any, Any]) -> Activity:
        return Activity.from_service(await _get(info, f"/activities/{_p(activity_id)}"))

    @strawberry.field(
        description="Sign-ups of an activity (organiser) / 报名名单",
        deprecation_reason=(
            "Unbounded; use `activityRegistrationsPage` / 请改用 activityRegistrationsPage（分页）"
        ),
    )
    async def activity_registrations(self, activity_id: str, info: Info[Any, Any]) -> list[Registration]:
        return [
            Registration.from_service(r)
            for r in await _get(info, f"/activities/{_p(activity_id)}/registrations")
        ]

    @strawberry.field(description="Sign-ups of an activity, keyset-paginated (organiser) / 报名名单（分页）")
    async def activity_registrations_page(
        self,
        activity_id: str,
        info: Info[Any, Any],
        first: First = 50,
        after: After = None,
        order_by: Annotated[
            RegistrationOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = RegistrationOrder.SIGNED_OLDEST,
    ) -> RegistrationPage:
        return await service_page(
            info,
            info.context.clients.matching,
            f"/activities/{_p(activity_id)}/registrations/page",
            {},
            order_by,
            first,
            after,
            RegistrationPage,
            Registration.from_service,
        )

    @strawberry.field(description="Activity counts toward the targets, per kind (officials) / 活动统计")
    async def activity_stats(
        self, info: Info[Any, Any], programme: str = "default"
    ) -> list[ActivityKindStats]:
        data = await _get(info, "/activities/stats", programme=programme)
        return [ActivityKindStats.from_service(k) for k in data["kinds"]]

    @strawberry.field(description="The current version of a rule document / 现行规则")
    async def matching_rule(
        self, kind: RuleKind, info: Info[Any, Any], scope: str = "default"
    ) -> RuleDocument:
        return RuleDocument.from_service(await _get(info, f"/rules/{kind.value}", scope=scope))


# ---- mutations -------------------------------------------------------------------------------------


def _cases(cases: list[CaseInput]) -> list[dict[str, Any]]:
    return [{"title": c.title, "customer": c.customer, "description": c.description} for c in cases]


@strawberry.type
class MatchingMutation:
    @strawberry.mutation(description="Apply to the provider pool (provider) / 服务商入库申请")
    async def apply_provider(self, input: ApplyProviderInput, info: Info[Any, Any]) -> ProviderPayload:
        body = {
            "uscc": input.uscc,
            "name": input.name,
            "kind": input.kind.value,
            "industries": input.industries,
            "counties": input.counties,
            "staff_on_site": input.staff_on_site,
            "cases": _cases(input.cases),
            "certifications": input.certifications,
            "related_usccs": input.related_usccs,
        }
        provider, errors = await _post(info, "/providers", body, Provider.from_service)
        return ProviderPayload(provider=provider, errors=errors)

    @strawberry.mutation(description="Score an application (expert) / 专家评审")
    async def review_provider(
        self, input: ReviewProviderInput, info: Info[Any, Any]
    ) -> ProviderReviewPayload:
        body = {"scores": _scores(input.scores), "comment": input.comment}
        review, errors = await _post(
            info, f"/providers/{_p(input.provider_id)}/reviews", body, ProviderReview.from_service
        )
        return ProviderReviewPayload(review=review, errors=errors)

    @strawberry.mutation(description="Approve into public notice or reject (city) / 入库决定")
    async def decide_provider(self, input: DecideProviderInput, info: Info[Any, Any]) -> ProviderPayload:
        body = {"decision": input.decision.value, "reason": input.reason, "notice_days": input.notice_days}
        provider, errors = await _post(
            info, f"/providers/{_p(input.provider_id)}/decision", body, Provider.from_service
        )
        return ProviderPayload(provider=provider, errors=errors)

    @strawberry.mutation(description="List after the public notice, within quotas (city) / 公示后入库")
    async def list_provider(self, provider_id: str, info: Info[Any, Any]) -> ProviderPayload:
        provider, errors = await _post(
            info, f"/providers/{_p(provider_id)}/listing", None, Provider.from_service
        )
        return ProviderPayload(provider=provider, errors=errors)

    @strawberry.mutation(description="Sign the confidentiality undertaking (provider) / 签署保密协议")
    async def sign_confidentiality(self, provider_id: str, info: Info[Any, Any]) -> ProviderPayload:
        provider, errors = await _post(
            info, f"/providers/{_p(provider_id)}/confidentiality", None, Provider.from_service
        )
        return ProviderPayload(provider=provider, errors=errors)

    @strawberry.mutation(description="Warn, suspend, reinstate or remove (city) / 动态管理")
    async def change_provider_status(
        self, input: ChangeProviderStatusInput, info: Info[Any, Any]
    ) -> ProviderPayload:
        body = {"action": input.action.value, "reason": input.reason}
        provider, errors = await _post(
            info, f"/providers/{_p(input.provider_id)}/status", body, Provider.from_service
        )
        return ProviderPayload(provider=provider, errors=errors)

    @strawberry.mutation(description="Rate a provider for a period (city) / 服务商考评")
    async def rate_provider(self, input: RateProviderInput, info: Info[Any, Any]) -> ProviderRatingPayload:
        body = {"period": input.period, "scores": _scores(input.scores)}
        rating, errors = await _post(
            info, f"/providers/{_p(input.provider_id)}/ratings", body, ProviderRating.from_service
        )
        return ProviderRatingPayload(rating=rating, errors=errors)

    @strawberry.mutation(description="Submit a product to the catalogue (listed provider) / 产品申报")
    async def submit_solution(self, input: SubmitSolutionInput, info: Info[Any, Any]) -> SolutionPayload:
        body = {
            "name": input.name,
            "description": input.description,
            "scenario_codes": input.scenario_codes,
            "industries": input.industries,
            "deployment": input.deployment.value,
            "price_model": input.price_model.value,
            "list_price_fen": input.list_price_fen,
            "implementation_days": input.implementation_days,
            "claimed_level_gain": input.claimed_level_gain,
            "claimed_effect": input.claimed_effect,
            "cases": _cases(input.cases),
        }
        solution, errors = await _post(info, "/solutions", body, Solution.from_service)
        return SolutionPayload(solution=solution, errors=errors)

    @strawberry.mutation(description="Score a submitted product (expert) / 产品专家评审")
    async def review_solution(
        self, input: ReviewSolutionInput, info: Info[Any, Any]
    ) -> SolutionReviewPayload:
        body = {"scores": _scores(input.scores), "comment": input.comment}
        review, errors = await _post(
            info, f"/solutions/{_p(input.solution_id)}/reviews", body, SolutionReview.from_service
        )
        return SolutionReviewPayload(review=review, errors=errors)

    @strawberry.mutation(description="List a product after its public notice (city) / 公示后上架")
    async def list_solution(self, solution_id: str, info: Info[Any, Any]) -> SolutionPayload:
        solution, errors = await _post(
            info, f"/solutions/{_p(solution_id)}/listing", None, Solution.from_service
        )
        return SolutionPayload(solution=solution, errors=errors)

    @strawberry.mutation(
        description="Approve into public notice, reject or delist a product (city) / 产品审核"
    )
    async def decide_solution(self, input: DecideSolutionInput, info: Info[Any, Any]) -> SolutionPayload:
        body = {"decision": input.decision.value, "reason": input.reason, "notice_days": input.notice_days}
        solution, errors = await _post(
            info, f"/solutions/{_p(input.solution_id)}/decision", body, Solution.from_service
        )
        return SolutionPayload(solution=solution, errors=errors)

    @strawberry.mutation(description="Rate a product after use (enterprise) / 产品评价")
    async def rate_solution(self, input: RateSolutionInput, info: Info[Any, Any]) -> SolutionRatingPayload:
        body = {"engagement_id": input.engagement_id, "score": input.score, "comment": input.comment}
        rating, errors = await _post(
            info, f"/solutions/{_p(input.solution_id)}/ratings", body, SolutionRating.from_service
        )
        return SolutionRatingPayload(rating=rating, errors=errors)

    @strawberry.mutation(description="Select a product as excellent for a year (city) / 优秀产品遴选")
    async def select_excellent_solution(
        self, solution_id: str, year: int, info: Info[Any, Any]
    ) -> SolutionPayload:
        solution, errors = await _post(
            info, f"/solutions/{_p(solution_id)}/excellent", {"year": year}, Solution.from_service
        )
        return SolutionPayload(solution=solution, errors=errors)

    @strawberry.mutation(description="Adopt a common need or state an individual one / 新增需求")
    async def add_need(self, input: AddNeedInput, info: Info[Any, Any]) -> NeedPayload:
        body = {"common_code": input.common_code, "scenario_code": input.scenario_code, "title": input.title}
        need, errors = await _post(info, f"/enterprises/{_p(input.uscc)}/needs", body, Need.from_service)
        return NeedPayload(need=need, errors=errors)

    @strawberry.mutation(description="Close a need / 关闭需求")
    async def close_need(self, need_id: str, info: Info[Any, Any]) -> NeedPayload:
        need, errors = await _post(info, f"/needs/{_p(need_id)}/close", None, Need.from_service)
        return NeedPayload(need=need, errors=errors)

    @strawberry.mutation(description="Publish a new version of a rule document (city) / 发布规则")
    async def publish_matching_rule(self, input: PublishRuleInput, info: Info[Any, Any]) -> RulePayload:
        body = {"scope": input.scope, "document": input.document}
        rule, errors = await _post(info, f"/rules/{input.kind.value}", body, RuleDocument.from_service)
        return RulePayload(rule=rule, errors=errors)

    @strawberry.mutation(description="Engage a provider (enterprise) / 发起服务对接")
    async def create_engagement(
        self, input: CreateEngagementInput, info: Info[Any, Any]
    ) -> EngagementPayload:
        body = {
            "uscc": input.uscc,
            "provider_id": input.provider_id,
            "kind": input.kind.value,
            "solution_ids": input.solution_ids,
        }
        engagement, errors = await _post(info, "/engagements", body, Engagement.from_service)
        return EngagementPayload(engagement=engagement, errors=errors)

    @strawberry.mutation(description="Submit the transformation plan (engaged provider) / 提交改造方案")
    async def submit_plan(self, input: SubmitPlanInput, info: Info[Any, Any]) -> PlanPayload:
        body = {
            "goals": input.goals,
            "scenario_codes": input.scenario_codes,
            "target_level": input.target_level,
            "budget": _lines(input.budget),
        }
        plan, errors = await _post(
            info, f"/engagements/{_p(input.engagement_id)}/plan", body, Plan.from_service
        )
        return PlanPayload(plan=plan, errors=errors)

    @strawberry.mutation(description="Approve or return the plan (enterprise) / 确认或退回方案")
    async def decide_plan(self, input: DecidePlanInput, info: Info[Any, Any]) -> PlanPayload:
        body = {"decision": input.decision.value, "reason": input.reason}
        plan, errors = await _post(
            info, f"/engagements/{_p(input.engagement_id)}/plan/decision", body, Plan.from_service
        )
        return PlanPayload(plan=plan, errors=errors)

    @strawberry.mutation(description="Record the signed contract (enterprise) / 合同登记")
    async def sign_contract(self, input: SignContractInput, info: Info[Any, Any]) -> ProjectPayload:
        body = {
            "contract_id": input.contract_id,
            "amount_fen": input.amount_fen,
            "lines": _lines(input.lines) if input.lines is not None else None,
            "signed_on": input.signed_on.isoformat(),
            "starts_on": input.starts_on.isoformat(),
            "ends_on": input.ends_on.isoformat(),
            "attachments": [{"name": a.name, "url": a.url} for a in input.attachments],
        }
        project, errors = await _post(
            info, f"/engagements/{_p(input.engagement_id)}/contract", body, Project.from_service
        )
        return ProjectPayload(project=project, errors=errors)

    @strawberry.mutation(description="Close a diagnosis engagement (enterprise) / 完成诊断")
    async def complete_diagnosis(self, engagement_id: str, info: Info[Any, Any]) -> EngagementPayload:
        engagement, errors = await _post(
            info, f"/engagements/{_p(engagement_id)}/complete", None, Engagement.from_service
        )
        return EngagementPayload(engagement=engagement, errors=errors)

    @strawberry.mutation(description="Cancel an engagement (enterprise or city) / 取消对接")
    async def cancel_engagement(
        self, input: CancelEngagementInput, info: Info[Any, Any]
    ) -> EngagementPayload:
        engagement, errors = await _post(
            info,
            f"/engagements/{_p(input.engagement_id)}/cancel",
            {"reason": input.reason},
            Engagement.from_service,
        )
        return EngagementPayload(engagement=engagement, errors=errors)

    @strawberry.mutation(description="Report progress (engaged provider) / 报告进度")
    async def report_milestone(self, input: ReportMilestoneInput, info: Info[Any, Any]) -> MilestonePayload:
        body = {"title": input.title, "progress_percent": input.progress_percent, "report": input.report}
        milestone, errors = await _post(
            info, f"/projects/{_p(input.project_id)}/milestones", body, Milestone.from_service
        )
        return MilestonePayload(milestone=milestone, errors=errors)

    @strawberry.mutation(description="Confirm reported progress (enterprise) / 确认进度")
    async def confirm_milestone(
        self, project_id: str, milestone_id: str, info: Info[Any, Any]
    ) -> MilestonePayload:
        milestone, errors = await _post(
            info,
            f"/projects/{_p(project_id)}/milestones/{_p(milestone_id)}/confirm",
            None,
            Milestone.from_service,
        )
        return MilestonePayload(milestone=milestone, errors=errors)

    @strawberry.mutation(description="Complete the project; acceptance follows (enterprise) / 项目完工")
    async def complete_project(self, project_id: str, info: Info[Any, Any]) -> ProjectPayload:
        project, errors = await _post(
            info, f"/projects/{_p(project_id)}/complete", None, Project.from_service
        )
        return ProjectPayload(project=project, errors=errors)

    @strawberry.mutation(description="Plan an activity (city, or county for its own) / 新建活动")
    async def create_activity(self, input: CreateActivityInput, info: Info[Any, Any]) -> ActivityPayload:
        body = {
            "programme": input.programme,
            "kind": input.kind.value,
            "title": input.title,
            "county_code": input.county_code,
            "industry_code": input.industry_code,
            "starts_at": input.starts_at.isoformat(),
            "location": input.location,
            "capacity": input.capacity,
        }
        activity, errors = await _post(info, "/activities", body, Activity.from_service)
        return ActivityPayload(activity=activity, errors=errors)

    @strawberry.mutation(description="Sign up for an activity / 活动报名")
    async def register_for_activity(
        self, input: RegisterForActivityInput, info: Info[Any, Any]
    ) -> RegistrationsPayload:
        body = {
            "uscc": input.uscc,
            "provider_id": input.provider_id,
            "person_name": input.person_name,
            "trainee_role": input.trainee_role,
        }
        registration, errors = await _post(
            info, f"/activities/{_p(input.activity_id)}/registrations", body, Registration.from_service
        )
        return RegistrationsPayload(registrations=[registration] if registration else [], errors=errors)

    @strawberry.mutation(description="Record who attended (organiser) / 登记到场")
    async def record_attendance(
        self, activity_id: str, registration_ids: list[int], info: Info[Any, Any]
    ) -> RegistrationsPayload:
        rows, errors = await _post(
            info,
            f"/activities/{_p(activity_id)}/attendance",
            {"registration_ids": registration_ids},
            lambda data: [Registration.from_service(r) for r in data],
        )
        return RegistrationsPayload(registrations=rows or [], errors=errors)

    @strawberry.mutation(description="Record the outcome; the activity is held (organiser) / 登记活动成效")
    async def record_activity_outcome(
        self, activity_id: str, contacts_made: int, info: Info[Any, Any], notes: str = ""
    ) -> ActivityPayload:
        activity, errors = await _post(
            info,
            f"/activities/{_p(activity_id)}/outcome",
            {"contacts_made": contacts_made, "notes": notes},
            Activity.from_service,
        )
        return ActivityPayload(activity=activity, errors=errors)
