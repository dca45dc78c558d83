"""The assessment part of the GraphQL schema: queries and mutations of this domain."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gateway.assessment.types import (
    Assessment,
    AssessmentKind,
    AssessmentOrder,
    AssessmentPage,
    AssessmentStatus,
    BelowTarget,
    BelowTargetOrder,
    BelowTargetPage,
    EnterpriseReport,
    IndexVersion,
    LevelDistribution,
    LevelGroup,
    LevelGrouping,
    ProjectAwaiting,
    Revisit,
    RevisitDraw,
    RevisitDrawOrder,
    RevisitDrawPage,
    RevisitFinding,
    ScoreResult,
)
from gateway.errors import GatewayError, UserError, user_errors
from gateway.pagination import After, First, service_page

CALLER_ERRORS = {409, 422}
T = TypeVar("T")


@strawberry.input(description="Options chosen for one question / 题目作答")
class AnswerInput:
    question_code: str = strawberry.field(description="Question code, e.g. D1.1.1 / 题目编码")
    options: list[str] = strawberry.field(description="Option keys; '无' alone / 选项")


@strawberry.input(description="Level reached in a scenario / 场景等级")
class ScenarioLevelInput:
    scenario_code: str = strawberry.field(description="Scenario code, e.g. S01 / 场景编码")
    level: int = strawberry.field(description="Level 0-4 / 等级")


@strawberry.input(description="Evidence for a question or scenario / 佐证材料")
class EvidenceInput:
    code: str = strawberry.field(description="Question or scenario code / 编码")
    values: list[str] = strawberry.field(
        default_factory=list, description="formField values in order / 填报数据"
    )
    attachments: list[str] = strawberry.field(default_factory=list, description="Attachment refs / 附件")
    note: str = strawberry.field(default="", description="Note / 说明")


@strawberry.input(description="Content of an assessment / 评测内容")
class AssessmentContentInput:
    answers: list[AnswerInput] = strawberry.field(default_factory=list, description="Answers / 作答")
    scenario_levels: list[ScenarioLevelInput] = strawberry.field(
        default_factory=list, description="Scenario levels / 场景等级"
    )
    evidence: list[EvidenceInput] = strawberry.field(default_factory=list, description="Evidence / 佐证")
    pain_points: list[str] = strawberry.field(default_factory=list, description="Pain points / 痛点")
    needed_scenarios: list[str] = strawberry.field(
        default_factory=list, description="Needed scenarios / 需求场景"
    )
    report: str = strawberry.field(default="", description="Report text / 报告")

    def body(self) -> dict[str, Any]:
        return {
            "answers": {a.question_code: a.options for a in self.answers},
            "scenario_levels": {s.scenario_code: s.level for s in self.scenario_levels},
            "evidence": {
                e.code: {"values": e.values, "attachments": e.attachments, "note": e.note}
                for e in self.evidence
            },
            "pain_points": self.pain_points,
            "needed_scenarios": self.needed_scenarios,
            "report": self.report,
        }


@strawberry.input(description="A new assessment (draft) / 新建评测")
class CreateAssessmentInput:
    uscc: str = strawberry.field(description="Enterprise USCC / 统一社会信用代码")
    kind: AssessmentKind = strawberry.field(description="Kind / 类型")
    index_code: str | None = strawberry.field(
        default=None, description="Index version; default MIIT 2024 / 指标版本"
    )
    engagement_id: str | None = strawberry.field(default=None, description="Diagnosis engagement / 诊断对接")
    project_id: str | None = strawberry.field(default=None, description="Project evaluated / 验收项目")
    supersedes_id: str | None = strawberry.field(
        default=None, description="Assessment corrected / 更正的评测"
    )
    content: AssessmentContentInput | None = strawberry.field(default=None, description="Content / 内容")


@strawberry.input(description="A revisit draw / 回头看抽查")
class DrawRevisitsInput:
    label: str = strawberry.field(description="Label / 名称")
    sample_size: int | None = strawberry.field(default=None, description="Enterprises to draw / 数量")
    sample_percent: int | None = strawberry.field(default=None, description="Or a share, % / 比例")
    seed: str | None = strawberry.field(default=None, description="Seed; generated if absent / 随机种子")
    batch_id: str | None = strawberry.field(default=None, description="Only this batch / 批次")
    county_code: str | None = strawberry.field(default=None, description="Only this county / 区县")


@strawberry.type(description="Result of an assessment mutation / 评测操作结果")
class AssessmentPayload:
    assessment: Assessment | None = strawberry.field(description="The assessment; null on error / 评测")
    errors: list[UserError] = strawberry.field(description="What was wrong / 输入错误")


@strawberry.type(description="Result of loading an index version / 载入指标版本结果")
class IndexVersionPayload:
    index_version: IndexVersion | None = strawberry.field(description="The version; null on error / 指标版本")
    errors: list[UserError] = strawberry.field(description="What was wrong / 输入错误")


@strawberry.type(description="Result of a revisit draw / 抽查结果")
class RevisitDrawPayload:
    draw: RevisitDraw | None = strawberry.field(description="The draw; null on error / 抽查")
    errors: list[UserError] = strawberry.field(description="What was wrong / 输入错误")


@strawberry.type(description="Result of recording a revisit finding / 回头看记录结果")
class RevisitPayload:
    revisit: Revisit | None = strawberry.field(description="The revisit; null on error / 回头看")
    errors: list[UserError] = strawberry.field(description="What was wrong / 输入错误")


@strawberry.type(description="A score preview / 试算结果")
class ScorePreviewPayload:
    result: ScoreResult | None = strawberry.field(description="Scores; null on error / 试算得分")
    errors: list[UserError] = strawberry.field(description="What was wrong / 输入错误")


async def _caller_errors(call: Callable[[], Awaitable[T]]) -> tuple[T | None, list[UserError]]:
    """Input problems become `errors`; auth and missing records stay GraphQL errors."""
    try:
        return await call(), []
    except GatewayError as error:
        if error.status in CALLER_ERRORS:
            return None, user_errors(error)
        raise


def _client(info: Info[Any, Any]) -> Any:
    return info.context.clients.assessment


@strawberry.type
class AssessmentQuery:
    @strawberry.field(description="Index versions loaded / 评测指标版本")
    async def index_versions(self, info: Info[Any, Any]) -> list[IndexVersion]:
        data = await _client(info).get("/index-versions", info.context.token)
        return [IndexVersion.from_service(v) for v in data["items"]]

    @strawberry.field(description="One index version with its document / 指标版本详情")
    async def index_version(self, code: str, info: Info[Any, Any]) -> IndexVersion:
        return IndexVersion.from_service(
            await _client(info).get(f"/index-versions/{code}", info.context.token)
        )

    @strawberry.field(description="One assessment / 评测详情")
    async def assessment(self, id: strawberry.ID, info: Info[Any, Any]) -> Assessment:
        return Assessment.from_service(await _client(info).get(f"/assessments/{id}", info.context.token))

    @strawberry.field(description="Assessments visible to the caller, newest first / 评测列表")
    async def assessments(
        self,
        info: Info[Any, Any],
        uscc: str | None = None,
        kind: AssessmentKind | None = None,
        status: AssessmentStatus | None = None,
        first: First = 50,
        after: After = None,
        order_by: Annotated[
            AssessmentOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = AssessmentOrder.NEWEST,
    ) -> AssessmentPage:
        params = {
            "uscc": uscc,
            "kind": kind.value if kind else None,
            "status": status.value if status else None,
        }
        return await service_page(
            info,
            _client(info),
            "/assessments",
            params,
            order_by,
            first,
            after,
            AssessmentPage,
            Assessment.from_service,
        )

    @strawberry.field(description="Score answers without saving / 得分试算")
    async def score_preview(
        self, content: AssessmentContentInput, info: Info[Any, Any], index_code: str | None = None
    ) -> ScorePreviewPayload:
        body = {**content.body(), **({"index_code": index_code} if index_code else {})}

        async def call() -> ScoreResult:
            data = await _client(info).post("/assessments/preview", info.context.token, json=body)
            return ScoreResult.from_service(data["result"])

        result, errors = await _caller_errors(call)
        return ScorePreviewPayload(result=result, errors=errors)

    @strawberry.field(description="An enterprise's report: radar, scenarios, before/after / 企业评测报告")
    async def enterprise_report(self, uscc: str, info: Info[Any, Any]) -> EnterpriseReport:
        return EnterpriseReport.from_service(
            await _client(info).get(f"/enterprises/{uscc}/report", info.context.token)
        )

    @strawberry.field(description="Level distribution before/after; above-scale share at target / 等级分布")
    async def programme_levels(
        self, info: Info[Any, Any], group_by: LevelGrouping = LevelGrouping.INDUSTRY, target_level: int = 2
    ) -> LevelDistribution:
        data = await _client(info).get(
            "/programme/levels",
            info.context.token,
            params={"group_by": group_by.value, "target_level": target_level},
        )
        return LevelDistribution(
            target_level=data["target_level"],
            group_by=data["group_by"],
            total=LevelGroup.from_service(data["total"]),
            groups=[LevelGroup.from_service(g) for g in data["groups"]],
        )

    @strawberry.field(
        description="Enterprises below the target level / 未达标企业",
        deprecation_reason=(
            "Unbounded; use `enterprisesBelowTargetPage` / 请改用 enterprisesBelowTargetPage（分页）"
        ),
    )
    async def enterprises_below_target(
        self, info: Info[Any, Any], target_level: int = 2
    ) -> list[BelowTarget]:
        data = await _client(info).get(
            "/programme/below-target", info.context.token, params={"target_level": target_level}
        )
        return [BelowTarget(**item) for item in data["items"]]

    @strawberry.field(description="Enterprises below the target level, keyset-paginated / 未达标企业（分页）")
    async def enterprises_below_target_page(
        self,
        info: Info[Any, Any],
        target_level: Annotated[int, strawberry.argument(description="Target level / 目标等级")] = 2,
        first: First = 50,
        after: After = None,
        order_by: Annotated[
            BelowTargetOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = BelowTargetOrder.USCC,
    ) -> BelowTargetPage:
        return await service_page(
            info,
            _client(info),
            "/programme/below-target",
            {"target_level": target_level},
            order_by,
            first,
            after,
            BelowTargetPage,
            lambda item: BelowTarget(**item),
        )

    @strawberry.field(description="Completed projects awaiting acceptance / 待评测验收项目")
    async def acceptance_queue(self, info: Info[Any, Any]) -> list[ProjectAwaiting]:
        data = await _client(info).get("/assessments/acceptance-queue", info.context.token)
        return [ProjectAwaiting.from_service(p) for p in data["items"]]

    @strawberry.field(
        description="Revisit draws / 回头看抽查",
        deprecation_reason="Unbounded; use `revisitDrawsPage` / 请改用 revisitDrawsPage（分页）",
    )
    async def revisit_draws(self, info: Info[Any, Any]) -> list[RevisitDraw]:
        data = await _client(info).get("/revisit-draws", info.context.token)
        return [RevisitDraw.from_service(d) for d in data["items"]]

    @strawberry.field(description="Revisit draws, sorted, keyset-paginated / 回头看抽查（分页）")
    async def revisit_draws_page(
        self,
        info: Info[Any, Any],
        first: First = 50,
        after: After = None,
        order_by: Annotated[
            RevisitDrawOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = RevisitDrawOrder.NEWEST,
    ) -> RevisitDrawPage:
        return await service_page(
            info,
            _client(info),
            "/revisit-draws",
            {},
            order_by,
            first,
            after,
            RevisitDrawPage,
            RevisitDraw.from_service,
        )

    @strawberry.field(description="One revisit draw with its revisits / 抽查详情")
    async def revisit_draw(self, id: strawberry.ID, info: Info[Any, Any]) -> RevisitDraw:
        return RevisitDraw.from_service(await _client(info).get(f"/revisit-draws/{id}", info.context.token))


@strawberry.type
class AssessmentMutation:
    @strawberry.mutation(description="Start an assessment (draft) / 新建评测")
    async def create_assessment(
        self, input: CreateAssessmentInput, info: Info[Any, Any]
    ) -> AssessmentPayload:
        body: dict[str, Any] = {
            "uscc": input.uscc,
            "kind": input.kind.value,
            "engagement_id": input.engagement_id,
            "project_id": input.project_id,
            "supersedes_id": input.supersedes_id,
            **(input.content.body() if input.content else {}),
        }
        if input.index_code:
            body["index_code"] = input.index_code
        return await _assessment(lambda: _client(info).post("/assessments", info.context.token, json=body))

    @strawberry.mutation(description="Replace a draft's content / 修改草稿")
    async def update_assessment(
        self, id: strawberry.ID, content: AssessmentContentInput, info: Info[Any, Any]
    ) -> AssessmentPayload:
        return await _assessment(
            lambda: _client(info).request(
                "PUT", f"/assessments/{id}", info.context.token, json=content.body()
            ),
        )

    @strawberry.mutation(description="Submit: score and freeze / 提交评测")
    async def submit_assessment(self, id: strawberry.ID, info: Info[Any, Any]) -> AssessmentPayload:
        return await _assessment(lambda: _client(info).post(f"/assessments/{id}/submit", info.context.token))

    @strawberry.mutation(description="Second evaluator signs an acceptance off / 评测验收复核")
    async def sign_off_assessment(
        self, id: strawberry.ID, info: Info[Any, Any], comment: str = ""
    ) -> AssessmentPayload:
        return await _assessment(
            lambda: _client(info).post(
                f"/assessments/{id}/sign-off", info.context.token, json={"comment": comment}
            ),
        )

    @strawberry.mutation(description="Load a new index version (city) / 载入指标版本")
    async def load_index_version(self, document: JSON, info: Info[Any, Any]) -> IndexVersionPayload:
        async def call() -> IndexVersion:
            data = await _client(info).post(
                "/index-versions", info.context.token, json={"document": document}
            )
            return IndexVersion.from_service(data)

        version, errors = await _caller_errors(call)
        return IndexVersionPayload(index_version=version, errors=errors)

    @strawberry.mutation(description="Retire an index version (city) / 停用指标版本")
    async def retire_index_version(self, code: str, info: Info[Any, Any]) -> IndexVersionPayload:
        async def call() -> IndexVersion:
            return IndexVersion.from_service(
                await _client(info).post(f"/index-versions/{code}/retire", info.context.token)
            )

        version, errors = await _caller_errors(call)
        return IndexVersionPayload(index_version=version, errors=errors)

    @strawberry.mutation(description="Draw a seeded revisit sample (city) / 回头看抽查")
    async def draw_revisits(self, input: DrawRevisitsInput, info: Info[Any, Any]) -> RevisitDrawPayload:
        body = {k: v for k, v in vars(input).items() if v is not None}

        async def call() -> RevisitDraw:
            return RevisitDraw.from_service(
                await _client(info).post("/revisit-draws", info.context.token, json=body)
            )

        draw, errors = await _caller_errors(call)
        return RevisitDrawPayload(draw=draw, errors=errors)

    @strawberry.mutation(description="Record a revisit finding / 记录回头看结论")
    async def record_revisit_finding(
        self, id: strawberry.ID, finding: RevisitFinding, info: Info[Any, Any], detail: str = ""
    ) -> RevisitPayload:
        async def call() -> Revisit:
            data = await _client(info).post(
                f"/revisits/{id}/finding",
                info.context.token,
                json={"finding": finding.value, "detail": detail},
            )
            return Revisit.from_service(data)

        revisit, errors = await _caller_errors(call)
        return RevisitPayload(revisit=revisit, errors=errors)


async def _assessment(call: Callable[[], Awaitable[Any]]) -> AssessmentPayload:
    async def wrapped() -> Assessment:
        return Assessment.from_service(await call())

    assessment, errors = await _caller_errors(wrapped)
    return AssessmentPayload(assessment=assessment, errors=errors)
