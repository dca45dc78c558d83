"""The enrollment part of the GraphQL schema. The service authorises; the gateway forwards the token."""

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gateway.enrollment.types import (
    AdmissionStatus,
    Application,
    ApplicationConnection,
    ApplicationOrder,
    Designation,
    DesignationKind,
    Enterprise,
    EnterpriseConnection,
    EnterpriseOrder,
    Expert,
    ExpertConnection,
    ExpertDraw,
    ExpertOrder,
    ExportFile,
    Fen,
    Funnel,
    Objection,
    Programme,
    PushError,
    PushReport,
    ReviewDecision,
    SizeClass,
    SrdiStatus,
    TargetProgress,
    enrollment_get,
    funnel_row,
)
from gateway.errors import GatewayError, UserError, user_errors
from gateway.pagination import After, First, service_page

CALLER_ERRORS = {409, 422}
T = TypeVar("T")


async def call(
    info: Info[Any, Any], method: str, path: str, convert: Callable[[Any], T], **kwargs: Any
) -> tuple[T | None, list[UserError]]:
    """Calls the service; input problems (409, 422) become typed errors, the rest raise."""
    try:
        data = await info.context.clients.enrollment.request(method, path, info.context.token, **kwargs)
    except GatewayError as error:
        if error.status in CALLER_ERRORS:
            return None, user_errors(error)
        raise
    return convert(data), []


def present(values: dict[str, Any]) -> dict[str, Any]:
    """Input fields the caller set (strawberry.UNSET means: leave unchanged)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is strawberry.UNSET:
            continue
        if isinstance(value, Enum):
            value = value.value
        elif isinstance(value, date):
            value = value.isoformat()
        out[key] = value
    return out


@strawberry.input(description="A new enterprise dossier / 企业登记信息")
class RegisterEnterpriseInput:
    uscc: str = strawberry.field(description="统一社会信用代码 (18 characters)")
    name: str = strawberry.field(description="Enterprise name / 企业名称")
    county_code: str = strawberry.field(description="所属区县 code (6 digits)")
    industry_code: str = strawberry.field(description="国民经济行业分类 code, e.g. C34")
    size_class: SizeClass = strawberry.field(description="Size class / 规上/规下")
    programme_id: str | None = strawberry.field(default=strawberry.UNSET, description="试点项目 programme")
    pilot_industry: str | None = strawberry.field(
        default=strawberry.UNSET, description="试点行业 pilot industry"
    )
    srdi_status: SrdiStatus | None = strawberry.field(
        default=strawberry.UNSET, description="SRDI (专精特新) status / 专精特新类型"
    )


@strawberry.input(description="Dossier changes; only the fields given change / 档案修改")
class UpdateEnterpriseInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="企业名称 name")
    county_code: str | None = strawberry.field(default=strawberry.UNSET, description="所属区县 county")
    industry_code: str | None = strawberry.field(
        default=strawberry.UNSET, description="行业代码 industry code"
    )
    size_class: SizeClass | None = strawberry.field(
        default=strawberry.UNSET, description="Size class / 规上/规下"
    )
    programme_id: str | None = strawberry.field(default=strawberry.UNSET, description="试点项目 programme")
    pilot_industry: str | None = strawberry.field(
        default=strawberry.UNSET, description="试点行业 pilot industry"
    )
    srdi_status: SrdiStatus | None = strawberry.field(
        default=strawberry.UNSET, description="SRDI (专精特新) status / 专精特新类型"
    )
    srdi_recognised_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="Date recognised / 认定日期"
    )
    srdi_expires_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="Recognition expires on / 有效期至"
    )
    annual_output_fen: Fen | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="Annual output in fen / 年产值（分）"
    )
    employees: int | None = strawberry.field(default=strawberry.UNSET, description="从业人数 employees")
    contact_name: str | None = strawberry.field(default=strawberry.UNSET, description="联系人 contact")
    contact_phone: str | None = strawberry.field(
        default=strawberry.UNSET, description="Contact phone / 联系电话"
    )
    contact_email: str | None = strawberry.field(
        default=strawberry.UNSET, description="Contact email / 联系邮箱"
    )
    officer_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Digital transformation officer / 数字化转型专员"
    )
    officer_phone: str | None = strawberry.field(
        default=strawberry.UNSET, description="Officer phone / 专员电话"
    )
    officer_email: str | None = strawberry.field(
        default=strawberry.UNSET, description="Officer email / 专员邮箱"
    )
    cloud_adopted: bool | None = strawberry.field(
        default=strawberry.UNSET, description="上云用云 cloud adopted"
    )


@strawberry.input(description="Enterprise list filters / 企业筛选条件")
class EnterpriseFilter:
    county_code: str | None = strawberry.field(default=None, description="所属区县 county")
    programme_id: str | None = strawberry.field(default=None, description="试点项目 programme")
    pilot_industry: str | None = strawberry.field(default=None, description="试点行业 pilot industry")
    industry_code: str | None = strawberry.field(
        default=None, description="行业代码前缀 industry code prefix"
    )
    batch_id: str | None = strawberry.field(default=None, description="批次 batch")
    status: AdmissionStatus | None = strawberry.field(default=None, description="入选状态 status")
    size_class: SizeClass | None = strawberry.field(default=None, description="Size class / 规上/规下")
    srdi_status: SrdiStatus | None = strawberry.field(
        default=None, description="SRDI (专精特新) status / 专精特新类型"
    )
    q: str | None = strawberry.field(default=None, description="名称或统一社会信用代码 name or USCC contains")


@strawberry.input(description="An application (申报) / 申报信息")
class SubmitApplicationInput:
    uscc: str = strawberry.field(description="统一社会信用代码 USCC")
    programme_id: str = strawberry.field(description="试点项目 programme")
    batch_id: str = strawberry.field(description="申报批次 batch")
    declarations: JSON = strawberry.field(
        description="承诺事项 {code: true} for each of the programme's declarations"
    )


@strawberry.input(description="A designation to record / 荣誉认定信息")
class DesignationInput:
    kind: DesignationKind = strawberry.field(description="类型 kind")
    awarded_on: date = strawberry.field(description="认定日期 awarded on")
    level: str = strawberry.field(description="认定层级 national, provincial, city, county")
    source: str = strawberry.field(description="认定机构/文件 recognising body or document")
    evidence: str = strawberry.field(description="证明材料 evidence reference")
    case_id: str = strawberry.field(default="", description="所属链式/集群案例 case")


@strawberry.input(description="A new member of the expert pool / 专家信息")
class ExpertInput:
    id: str = strawberry.field(description="登录名 the expert's login subject")
    name: str = strawberry.field(description="姓名 name")
    employer: str = strawberry.field(description="工作单位 employer")
    employer_uscc: str | None = strawberry.field(
        default=None, description="USCC of the employer / 单位统一社会信用代码"
    )
    fields: list[str] = strawberry.field(description="专业领域 fields")


@strawberry.type(description="Result of a dossier mutation / 企业档案操作结果")
class EnterprisePayload:
    enterprise: Enterprise | None = strawberry.field(description="The enterprise; null on error / 企业")
    errors: list[UserError] = strawberry.field(description="What was wrong with the input / 输入错误")


@strawberry.type(description="Result of registerEnterprise / 企业登记结果")
class RegisterEnterprisePayload:
    enterprise: Enterprise | None = strawberry.field(
        description="The registered enterprise; null on error / 登记的企业"
    )
    errors: list[UserError] = strawberry.field(description="What was wrong with the input / 输入错误")


@strawberry.type(description="Result of an application mutation / 申报操作结果")
class ApplicationPayload:
    application: Application | None = strawberry.field(description="The application; null on error / 申报")
    errors: list[UserError] = strawberry.field(description="What was wrong / 输入错误")


@strawberry.type(description="Result of an objection mutation / 异议操作结果")
class ObjectionPayload:
    objection: Objection | None = strawberry.field(description="The objection; null on error / 异议")
    errors: list[UserError] = strawberry.field(description="What was wrong / 输入错误")


@strawberry.type(description="Result of loading a programme configuration / 试点项目配置结果")
class ProgrammeVersionResult:
    id: str = strawberry.field(description="试点项目 programme")
    version: int = strawberry.field(description="版本 version now current")
    changed: bool = strawberry.field(description="是否产生新版本 false when equal to the stored version")


@strawberry.type(description="Result of a programme mutation / 试点项目操作结果")
class ProgrammePayload:
    results: list[ProgrammeVersionResult] = strawberry.field(description="每个项目 one per programme")
    errors: list[UserError] = strawberry.field(description="What was wrong / 输入错误")


@strawberry.type(description="Result of a bulk push / 批量推送结果")
class PushPayload:
    report: PushReport | None = strawberry.field(description="Per-record outcome / 推送结果")
    errors: list[UserError] = strawberry.field(description="Request-level problems / 请求错误")


@strawberry.type(description="Result of a designation mutation / 荣誉认定结果")
class DesignationPayload:
    designation: Designation | None = strawberry.field(description="The designation / 荣誉")
    errors: list[UserError] = strawberry.field(description="What was wrong / 输入错误")


@strawberry.type(description="Result of an expert-pool mutation / 专家库操作结果")
class ExpertPayload:
    expert: Expert | None = strawberry.field(description="The expert / 专家")
    errors: list[UserError] = strawberry.field(description="What was wrong / 输入错误")


@strawberry.type(description="Result of an expert draw / 专家抽取结果")
class ExpertDrawPayload:
    draw: ExpertDraw | None = strawberry.field(description="The recorded draw / 抽取记录")
    errors: list[UserError] = strawberry.field(description="What was wrong / 输入错误")


def expert(data: dict[str, Any]) -> Expert:
    return Expert(
        id=data["id"],
        name=data["name"],
        employer=data["employer"],
        employer_uscc=data.get("employer_uscc"),
        fields=data["fields"],
        links=data.get("links", []),
    )


def expert_draw(data: dict[str, Any]) -> ExpertDraw:
    return ExpertDraw(
        id=data["id"],
        application_id=data["application_id"],
        seed=data["seed"],
        eligible=data["eligible"],
        excluded=data["excluded"],
        selected=data["selected"],
        drawn_at=datetime.fromisoformat(data["drawn_at"]),
    )


def push_report(data: dict[str, Any]) -> PushReport:
    return PushReport(
        request_id=data["request_id"],
        outcome=data["outcome"],
        total=data["total"],
        created=data["created"],
        updated=data["updated"],
        unchanged=data["unchanged"],
        rejected=data["rejected"],
        errors=[
            PushError(**{k: e[k] for k in ("row", "uscc", "field", "code", "message", "message_zh")})
            for e in data["errors"]
        ],
    )


def programme_results(data: Any) -> list[ProgrammeVersionResult]:
    items = data["items"] if isinstance(data, dict) and "items" in data else [data]
    return [ProgrammeVersionResult(id=i["id"], version=i["version"], changed=i["changed"]) for i in items]


@strawberry.type
class EnrollmentQuery:
    @strawberry.field(description="One enterprise by USCC / 按统一社会信用代码查询企业")
    async def enterprise(self, uscc: str, info: Info[Any, Any]) -> Enterprise | None:
        data = await info.context.clients.enrollment.get(f"/enterprises/{uscc}", info.context.token)
        return Enterprise.from_service(data)

    @strawberry.field(description="Enterprises filtered, keyset-paginated, with the total / 企业列表")
    async def enterprises(
        self,
        info: Info[Any, Any],
        filter: EnterpriseFilter | None = None,
        after: After = None,
        first: First = 50,
        order_by: Annotated[
            EnterpriseOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = EnterpriseOrder.USCC,
    ) -> EnterpriseConnection:
        params = present(vars(filter)) if filter else {}
        return await service_page(
            info,
            info.context.clients.enrollment,
            "/enterprises",
            params,
            order_by,
            first,
            after,
            EnterpriseConnection,
            Enterprise.from_service,
        )

    @strawberry.field(
        description="XLSX of the filtered list in the official layout (序号, 企业名称, 统一社会信用代码, "
        "所属区县, 所属行业, 规上/规下, 专精特新类型, 批次, 状态) / 导出企业名单"
    )
    async def enterprises_export(
        self, info: Info[Any, Any], filter: EnterpriseFilter | None = None
    ) -> ExportFile:
        params = {k: v for k, v in (present(vars(filter)) if filter else {}).items() if v is not None}
        data = await enrollment_get(info, "/enterprises/export", **params)
        return ExportFile(
            filename=data["filename"],
            content_type=data["content_type"],
            content_base64=data["content_base64"],
        )

    @strawberry.field(description="All pilot programmes / 试点项目列表")
    async def programmes(self, info: Info[Any, Any]) -> list[Programme]:
        data = await enrollment_get(info, "/programmes")
        return [
            Programme.from_service(await enrollment_get(info, f"/programmes/{p['id']}"))
            for p in data["items"]
        ]

    @strawberry.field(description="One programme: industries, counties, batches, target table / 试点项目")
    async def programme(self, id: str, info: Info[Any, Any]) -> Programme:
        return Programme.from_service(await enrollment_get(info, f"/programmes/{id}"))

    @strawberry.field(description="Target table progress (a county sees its own share) / 目标完成情况")
    async def programme_progress(self, programme_id: str, info: Info[Any, Any]) -> list[TargetProgress]:
        data = await enrollment_get(info, f"/programmes/{programme_id}/progress")
        return [TargetProgress.from_service(t) for t in data["targets"]]

    @strawberry.field(description="Applications, keyset-paginated / 申报列表")
    async def applications(
        self,
        info: Info[Any, Any],
        programme_id: str | None = None,
        batch_id: str | None = None,
        status: AdmissionStatus | None = None,
        county_code: str | None = None,
        after: After = None,
        first: First = 50,
        order_by: Annotated[
            ApplicationOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = ApplicationOrder.ID,
    ) -> ApplicationConnection:
        params = present(
            {"programme_id": programme_id, "batch_id": batch_id, "status": status, "county_code": county_code}
        )
        return await service_page(
            info,
            info.context.clients.enrollment,
            "/applications",
            params,
            order_by,
            first,
            after,
            ApplicationConnection,
            Application.from_service,
        )

    @strawberry.field(description="One application with its history and objections / 申报详情")
    async def application(self, id: str, info: Info[Any, Any]) -> Application:
        return Application.from_service(await enrollment_get(info, f"/applications/{id}"))

    @strawberry.field(description="Admission funnel per batch and county / 入选漏斗")
    async def admission_funnel(self, programme_id: str, info: Info[Any, Any]) -> Funnel:
        data = await enrollment_get(info, "/applications/funnel", programme_id=programme_id)
        return Funnel(
            programme_id=data["programme_id"],
            rows=[funnel_row(r) for r in data["rows"]],
            totals=funnel_row(data["totals"]),
        )

    @strawberry.field(
        description="The expert pool / 专家库",
        deprecation_reason="Unbounded; use `expertsPage` / 请改用 expertsPage（分页）",
    )
    async def experts(self, info: Info[Any, Any]) -> list[Expert]:
        return [expert(e) for e in (await enrollment_get(info, "/experts"))["items"]]

    @strawberry.field(description="The expert pool, sorted, keyset-paginated / 专家库（分页）")
    async def experts_page(
        self,
        info: Info[Any, Any],
        first: First = 50,
        after: After = None,
        order_by: Annotated[
            ExpertOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = ExpertOrder.ID,
    ) -> ExpertConnection:
        return await service_page(
            info,
            info.context.clients.enrollment,
            "/experts",
            {},
            order_by,
            first,
            after,
            ExpertConnection,
            expert,
        )

    @strawberry.field(description="A recorded expert draw / 专家抽取记录")
    async def expert_draw(self, id: str, info: Info[Any, Any]) -> ExpertDraw:
        return expert_draw(await enrollment_get(info, f"/expert-draws/{id}"))


def application_mutation(path: str) -> Callable[..., Awaitable[ApplicationPayload]]:
    async def run(info: Info[Any, Any], application_id: str, body: dict[str, Any]) -> ApplicationPayload:
        application, errors = await call(
            info, "POST", f"/applications/{application_id}/{path}", Application.from_service, json=body
        )
        return ApplicationPayload(application=application, errors=errors)

    return run


@strawberry.type
class EnrollmentMutation:
    @strawberry.mutation(description="Register an enterprise dossier / 登记企业（一企一档）")
    async def register_enterprise(
        self, input: RegisterEnterpriseInput, info: Info[Any, Any]
    ) -> RegisterEnterprisePayload:
        enterprise, errors = await call(
            info, "POST", "/enterprises", Enterprise.from_service, json=present(vars(input))
        )
        return RegisterEnterprisePayload(enterprise=enterprise, errors=errors)

    @strawberry.mutation(description="Change a dossier; each change is a new version / 修改企业档案")
    async def update_enterprise(
        self, uscc: str, input: UpdateEnterpriseInput, info: Info[Any, Any]
    ) -> EnterprisePayload:
        enterprise, errors = await call(
            info, "PATCH", f"/enterprises/{uscc}", Enterprise.from_service, json=present(vars(input))
        )
        return EnterprisePayload(enterprise=enterprise, errors=errors)

    @strawberry.mutation(description="Push enterprise records in bulk (JSON records) / 区县批量推送")
    async def push_enterprises(
        self,
        request_id: str,
        records: JSON,
        info: Info[Any, Any],
        all_or_nothing: bool = False,
        dry_run: bool = False,
    ) -> PushPayload:
        params = {
            "request_id": request_id,
            "mode": "all_or_nothing" if all_or_nothing else "partial",
            "dry_run": dry_run,
        }
        report, errors = await call(
            info, "POST", "/enterprises/bulk", push_report, json=records, params=params
        )
        return PushPayload(report=report, errors=errors)

    @strawberry.mutation(description="Load the seed cities' programmes (city admin) / 载入预置试点项目")
    async def seed_programmes(
        self, info: Info[Any, Any], cities: list[str] | None = None
    ) -> ProgrammePayload:
        results, errors = await call(
            info, "POST", "/programmes/seed", programme_results, params={"city": cities or []}
        )
        return ProgrammePayload(results=results or [], errors=errors)

    @strawberry.mutation(description="Create a programme or store a new configuration version / 配置试点项目")
    async def configure_programme(self, config: JSON, info: Info[Any, Any]) -> ProgrammePayload:
        programme_id = str(config.get("id", "")) if isinstance(config, dict) else ""
        if not programme_id:
            return ProgrammePayload(
                results=[], errors=[UserError(field="config.id", code="MISSING", message="id required")]
            )
        results, errors = await call(
            info, "PUT", f"/programmes/{programme_id}", programme_results, json=config
        )
        return ProgrammePayload(results=results or [], errors=errors)

    @strawberry.mutation(description="Apply to a batch (enterprise, or county on its behalf) / 提交申报")
    async def submit_application(
        self, input: SubmitApplicationInput, info: Info[Any, Any]
    ) -> ApplicationPayload:
        application, errors = await call(
            info, "POST", "/applications", Application.from_service, json=vars(input)
        )
        return ApplicationPayload(application=application, errors=errors)

    @strawberry.mutation(description="Decide the current review step / 审核")
    async def review_application(
        self,
        application_id: str,
        decision: ReviewDecision,
        info: Info[Any, Any],
        comment: str | None = None,
        step: Annotated[
            str | None,
            strawberry.argument(
                description="The step being decided (the application's current step); when someone else "
                "decided it first the error is STEP_ALREADY_DECIDED / 所审核的环节（已被他人处理时返回 "
                "STEP_ALREADY_DECIDED；并发冲突返回 CONCURRENT_UPDATE）"
            ),
        ] = None,
    ) -> ApplicationPayload:
        body: dict[str, Any] = {"decision": decision.value, "comment": comment}
        if step is not None:
            body["step"] = step
        payload = await application_mutation("reviews")(info, application_id, body)
        for error in payload.errors:
            if error.code == "STEP_ALREADY_DECIDED" and error.field is None:
                error.field = "step"
        return payload

    @strawberry.mutation(description="Resubmit a returned application / 重新提交")
    async def resubmit_application(self, application_id: str, info: Info[Any, Any]) -> ApplicationPayload:
        return await application_mutation("resubmit")(info, application_id, {})

    @strawberry.mutation(description="Publish the public notice (公示) / 发布公示")
    async def start_public_notice(self, application_id: str, info: Info[Any, Any]) -> ApplicationPayload:
        return await application_mutation("notice")(info, application_id, {})

    @strawberry.mutation(description="Admit into the batch after the notice / 确认入选")
    async def admit_application(self, application_id: str, info: Info[Any, Any]) -> ApplicationPayload:
        return await application_mutation("admit")(info, application_id, {})

    @strawberry.mutation(description="Withdraw / 退出")
    async def withdraw_application(
        self, application_id: str, reason: str, info: Info[Any, Any]
    ) -> ApplicationPayload:
        return await application_mutation("withdraw")(info, application_id, {"reason": reason})

    @strawberry.mutation(description="Disqualify, with reason / 取消资格")
    async def disqualify_application(
        self, application_id: str, reason: str, info: Info[Any, Any]
    ) -> ApplicationPayload:
        return await application_mutation("disqualify")(info, application_id, {"reason": reason})

    @strawberry.mutation(description="Move to another batch / 调整批次")
    async def transfer_application(
        self, application_id: str, to_batch_id: str, reason: str, info: Info[Any, Any]
    ) -> ApplicationPayload:
        body = {"to_batch_id": to_batch_id, "reason": reason}
        return await application_mutation("transfer")(info, application_id, body)

    @strawberry.mutation(description="Give an admitted place to a replacement / 替补")
    async def replace_application(
        self, application_id: str, replacement_application_id: str, reason: str, info: Info[Any, Any]
    ) -> ApplicationPayload:
        body = {"replacement_application_id": replacement_application_id, "reason": reason}
        return await application_mutation("replace")(info, application_id, body)

    @strawberry.mutation(description="Raise an objection during the notice / 提出异议")
    async def raise_objection(
        self, application_id: str, content: str, info: Info[Any, Any]
    ) -> ObjectionPayload:
        objection, errors = await call(
            info,
            "POST",
            f"/applications/{application_id}/objections",
            Objection.from_service,
            json={"content": content},
        )
        return ObjectionPayload(objection=objection, errors=errors)

    @strawberry.mutation(description="Resolve an objection; upheld rejects the application / 处理异议")
    async def resolve_objection(
        self, application_id: str, objection_id: str, upheld: bool, resolution: str, info: Info[Any, Any]
    ) -> ObjectionPayload:
        objection, errors = await call(
            info,
            "POST",
            f"/applications/{application_id}/objections/{objection_id}/resolve",
            Objection.from_service,
            json={"upheld": upheld, "resolution": resolution},
        )
        return ObjectionPayload(objection=objection, errors=errors)

    @strawberry.mutation(description="Add an expert to the pool / 新增专家")
    async def create_expert(self, input: ExpertInput, info: Info[Any, Any]) -> ExpertPayload:
        body = {k: v for k, v in vars(input).items() if v is not None}
        created, errors = await call(info, "POST", "/experts", expert, json=body)
        return ExpertPayload(expert=created, errors=errors)

    @strawberry.mutation(description="Record an expert's link to an enterprise or provider / 登记专家关联方")
    async def link_expert(
        self, expert_id: str, party_type: str, party_id: str, relation: str, info: Info[Any, Any]
    ) -> ExpertPayload:
        body = {"party_type": party_type, "party_id": party_id, "relation": relation}
        _, errors = await call(info, "POST", f"/experts/{expert_id}/links", dict, json=body)
        if errors:
            return ExpertPayload(expert=None, errors=errors)
        return ExpertPayload(expert=expert(await enrollment_get(info, f"/experts/{expert_id}")), errors=[])

    @strawberry.mutation(description="Draw reviewers at random with avoidance rules / 随机抽取评审专家")
    async def draw_experts(
        self, application_id: str, count: int, info: Info[Any, Any], fields: list[str] | None = None
    ) -> ExpertDrawPayload:
        body = {"count": count, "fields": fields or []}
        drawn, errors = await call(
            info, "POST", f"/applications/{application_id}/expert-draws", expert_draw, json=body
        )
        return ExpertDrawPayload(draw=drawn, errors=errors)

    @strawberry.mutation(description="Record an honour with evidence / 登记荣誉认定")
    async def award_designation(
        self, uscc: str, input: DesignationInput, info: Info[Any, Any]
    ) -> DesignationPayload:
        designation, errors = await call(
            info,
            "POST",
            f"/enterprises/{uscc}/designations",
            Designation.from_service,
            json=present(vars(input)),
        )
        return DesignationPayload(designation=designation, errors=errors)
