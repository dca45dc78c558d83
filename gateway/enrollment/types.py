"""GraphQL types of the enrollment domain: programme, dossier (一企一档), applications, experts, honours."""

from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gateway.assessment.types import Assessment, AssessmentProfile, resolve_assessment_profile
from gateway.convert import parse_date as day
from gateway.convert import parse_datetime as moment
from gateway.funding.types import Claim, FundingProfile, Payment, build, resolve_funding_profile
from gateway.matching.types import Engagement, MatchingProfile, Need, Project, resolve_matching_profile
from gateway.pagination import Connection
from gateway.scalars import Fen


async def linked(info: Info[Any, Any], service: str, path: str, uscc: str) -> list[dict[str, Any]]:
    """An enterprise's items in another collection, through the request's list DataLoader over the
    service's batch endpoint `GET path?uscc=a&uscc=b...`: a page of enterprises costs one call per link."""
    return await info.context.loader(service, path, many=True).load(uscc)  # type: ignore[no-any-return]


async def enrollment_get(info: Info[Any, Any], path: str, **params: Any) -> Any:
    return await info.context.clients.enrollment.get(path, info.context.token, params=params or None)


@strawberry.enum(description="Size class / 企业规模")
class SizeClass(Enum):
    ABOVE_SCALE = strawberry.enum_value("above_scale", description="规上 above designated size")
    BELOW_SCALE = strawberry.enum_value("below_scale", description="规下 below designated size")


@strawberry.enum(description="专精特新 status / 专精特新类型")
class SrdiStatus(Enum):
    NONE = strawberry.enum_value("none", description="无 none")
    INNOVATIVE = strawberry.enum_value("innovative", description="创新型中小企业 innovative SME")
    PROVINCIAL_SRDI = strawberry.enum_value("provincial_srdi", description="省级专精特新 provincial SRDI")
    LITTLE_GIANT = strawberry.enum_value("little_giant", description="国家级专精特新“小巨人” little giant")


@strawberry.enum(description="Where an enterprise or application stands / 入选状态")
class AdmissionStatus(Enum):
    REGISTERED = strawberry.enum_value("registered", description="已登记 registered, no application")
    IN_REVIEW = strawberry.enum_value("in_review", description="审核中 in review")
    RETURNED = strawberry.enum_value("returned", description="退回修改 returned for amendment")
    APPROVED = strawberry.enum_value("approved", description="审核通过 approved, awaiting notice")
    PUBLIC_NOTICE = strawberry.enum_value("public_notice", description="公示中 on public notice")
    ADMITTED = strawberry.enum_value("admitted", description="已入选 admitted into a batch")
    REJECTED = strawberry.enum_value("rejected", description="未通过 rejected")
    WITHDRAWN = strawberry.enum_value("withdrawn", description="已退出 withdrawn")
    DISQUALIFIED = strawberry.enum_value("disqualified", description="已取消资格 disqualified")


@strawberry.enum(description="Review decision / 审核结论")
class ReviewDecision(Enum):
    APPROVED = strawberry.enum_value("approved", description="通过 approved")
    REJECTED = strawberry.enum_value("rejected", description="不通过 rejected")
    RETURNED = strawberry.enum_value("returned", description="退回修改 returned for amendment")


@strawberry.enum(description="Order of the enterprise list; keep it while paging / 企业列表排序")
class EnterpriseOrder(Enum):
    USCC = strawberry.enum_value("uscc", description="By USCC, the default / 按统一社会信用代码（默认）")
    REGISTERED_NEWEST = strawberry.enum_value(
        "registered_newest", description="Latest registered first / 按登记时间倒序（最新在前）"
    )
    REGISTERED_OLDEST = strawberry.enum_value(
        "registered_oldest", description="Earliest registered first / 按登记时间正序"
    )
    NAME = strawberry.enum_value("name", description="By enterprise name / 按企业名称")


@strawberry.enum(description="Order of the application list; keep it while paging / 申报列表排序")
class ApplicationOrder(Enum):
    ID = strawberry.enum_value("id", description="By application id, the default / 按申报编号（默认）")
    SUBMITTED_NEWEST = strawberry.enum_value(
        "submitted_newest", description="Latest submitted first / 按提交时间倒序（最新在前）"
    )
    SUBMITTED_OLDEST = strawberry.enum_value(
        "submitted_oldest",
        description="Earliest submitted first, the review queue / 按提交时间正序（审核队列）",
    )
    UPDATED_NEWEST = strawberry.enum_value(
        "updated_newest", description="Latest changed first / 按最近处理时间倒序"
    )


@strawberry.enum(description="Designation kind / 荣誉类型")
class DesignationKind(Enum):
    SHOWCASE = strawberry.enum_value("showcase", description="样板企业 showcase")
    BENCHMARK = strawberry.enum_value("benchmark", description="标杆企业 benchmark")
    SMART_FACTORY = strawberry.enum_value("smart_factory", description="智能工厂 smart factory")
    DIGITAL_WORKSHOP = strawberry.enum_value("digital_workshop", description="数字化车间 digital workshop")
    CHAIN_LEADER = strawberry.enum_value("chain_leader", description="链主 chain leader")
    CHAIN_MEMBER = strawberry.enum_value("chain_member", description="链式转型案例成员 chain case member")
    CLUSTER_MEMBER = strawberry.enum_value(
        "cluster_member", description="集群式转型案例成员 cluster case member"
    )
    DIGITAL_PILOT = strawberry.enum_value("digital_pilot", description="数字领航 digital pilot")
    NEW_SRDI = strawberry.enum_value("new_srdi", description="新认定专精特新 newly recognised SRDI")
    NEW_LITTLE_GIANT = strawberry.enum_value("new_little_giant", description="新认定小巨人 new little giant")


@strawberry.type(description="One version of a dossier / 档案版本")
class DossierVersion:
    version: int = strawberry.field(description="版本号 version")
    source: str = strawberry.field(description="来源 county_push, enterprise, city")
    changed_by: str = strawberry.field(description="修改人 who")
    changed_role: str = strawberry.field(description="修改人角色 role")
    changed_at: datetime = strawberry.field(description="修改时间 when (UTC)")
    changes: JSON = strawberry.field(description="字段→[旧值, 新值] field to [old, new]")


@strawberry.type(description="A dossier timeline entry / 档案时间线条目")
class TimelineItem:
    at: datetime = strawberry.field(description="时间 when (UTC)")
    kind: str = strawberry.field(description="类型 dossier, application or another service's event type")
    source: str = strawberry.field(description="来源 source")
    summary: str = strawberry.field(description="摘要 one line, Chinese / English")
    data: JSON = strawberry.field(description="明细 details")


@strawberry.type(description="An honour or designation / 荣誉认定")
class Designation:
    id: str = strawberry.field(description="编号 id")
    uscc: str = strawberry.field(description="统一社会信用代码 USCC")
    kind: DesignationKind = strawberry.field(description="类型 kind")
    case_id: str = strawberry.field(description="所属链式/集群案例 chain or cluster case")
    awarded_on: date = strawberry.field(description="认定日期 awarded on")
    level: str = strawberry.field(description="认定层级 national, provincial, city, county")
    source: str = strawberry.field(description="认定机构/文件 recognising body or document")
    evidence: str = strawberry.field(description="证明材料 evidence")

    @classmethod
    def from_service(cls, d: dict[str, Any]) -> "Designation":
        return cls(
            id=d["id"],
            uscc=d["uscc"],
            kind=DesignationKind(d["kind"]),
            case_id=d["case_id"],
            awarded_on=date.fromisoformat(d["awarded_on"]),
            level=d["level"],
            source=d["source"],
            evidence=d["evidence"],
        )


@strawberry.type(
    description="An enrolled enterprise: its dossier (一企一档) and what each service knows of it"
)
class Enterprise:
    uscc: str = strawberry.field(description="统一社会信用代码 unified social credit code")
    name: str = strawberry.field(description="企业名称 name")
    county_code: str = strawberry.field(description="所属区县 county code")
    industry_code: str = strawberry.field(description="国民经济行业分类 industry code")
    size_class: SizeClass = strawberry.field(description="规上/规下 size class")
    registered_at: datetime = strawberry.field(description="登记时间 registered at (UTC)")
    programme_id: str | None = strawberry.field(default=None, description="试点项目 programme")
    pilot_industry: str | None = strawberry.field(default=None, description="试点行业 pilot industry code")
    srdi_status: SrdiStatus = strawberry.field(
        default=SrdiStatus.NONE, description="专精特新类型 SRDI status"
    )
    srdi_recognised_on: date | None = strawberry.field(
        default=None, description="专精特新认定日期 recognised on"
    )
    srdi_expires_on: date | None = strawberry.field(default=None, description="专精特新有效期至 valid until")
    annual_output_fen: Fen | None = strawberry.field(default=None, description="年产值（分） annual output")  # type: ignore[valid-type]
    employees: int | None = strawberry.field(default=None, description="从业人数 employees")
    output_tier: str | None = strawberry.field(default=None, description="产值档 output tier")
    contact_name: str | None = strawberry.field(default=None, description="联系人 contact")
    contact_phone: str | None = strawberry.field(default=None, description="联系电话 contact phone")
    contact_email: str | None = strawberry.field(default=None, description="联系邮箱 contact e-mail")
    officer_name: str | None = strawberry.field(
        default=None, description="数字化转型专员 transformation officer"
    )
    officer_phone: str | None = strawberry.field(default=None, description="专员电话 officer phone")
    officer_email: str | None = strawberry.field(default=None, description="专员邮箱 officer e-mail")
    cloud_adopted: bool = strawberry.field(default=False, description="上云用云 cloud adopted")
    version: int = strawberry.field(default=1, description="档案版本 dossier version")
    admission_status: AdmissionStatus = strawberry.field(
        default=AdmissionStatus.REGISTERED, description="入选状态 admission status"
    )
    batch_id: str | None = strawberry.field(default=None, description="批次 batch")

    @strawberry.field(
        description="Assessment profile / 评测概况 (null while the assessment service is unavailable)"
    )
    async def assessment(self, info: Info[Any, Any]) -> AssessmentProfile | None:
        return await resolve_assessment_profile(self.uscc, info)

    @strawberry.field(description="Matching profile / 供需对接概况")
    async def matching(self, info: Info[Any, Any]) -> MatchingProfile | None:
        return await resolve_matching_profile(self.uscc, info)

    @strawberry.field(description="Funding profile / 资金概况")
    async def funding(self, info: Info[Any, Any]) -> FundingProfile | None:
        return await resolve_funding_profile(self.uscc, info)

    @strawberry.field(description="Applications to the programme's batches / 申报记录")
    async def applications(self, info: Info[Any, Any]) -> list["Application"]:
        items = await linked(info, "enrollment", "/applications/by-enterprise", self.uscc)
        return [Application.from_service(a) for a in items]

    @strawberry.field(
        description="Assessments (self, diagnosis, acceptance), newest first / 评测记录（自评、诊断、验收）"
    )
    async def assessments(self, info: Info[Any, Any]) -> list[Assessment]:
        items = await linked(info, "assessment", "/assessments/by-enterprise", self.uscc)
        return [Assessment.from_service(a) for a in items]

    @strawberry.field(description="N+X transformation needs / 转型需求（N+X）")
    async def needs(self, info: Info[Any, Any]) -> list[Need]:
        items = await linked(info, "matching", "/needs/by-enterprise", self.uscc)
        return [Need.from_service(n) for n in items]

    @strawberry.field(description="Engagements with providers, with plan and project / 服务对接")
    async def engagements(self, info: Info[Any, Any]) -> list[Engagement]:
        items = await linked(info, "matching", "/engagements/by-enterprise", self.uscc)
        return [Engagement.from_service(e) for e in items]

    @strawberry.field(description="Transformation projects (signed contracts) / 改造项目")
    async def projects(self, info: Info[Any, Any]) -> list[Project]:
        items = await linked(info, "matching", "/engagements/by-enterprise", self.uscc)
        return [Project.from_service(e["project"]) for e in items if e.get("project")]

    @strawberry.field(description="Subsidy claims / 奖补申请")
    async def claims(self, info: Info[Any, Any]) -> list[Claim]:
        items = await linked(info, "funding", "/claims/by-enterprise", self.uscc)
        return [Claim.from_service(c) for c in items]

    @strawberry.field(description="Subsidy payments (city and auditors, or the enterprise itself) / 奖补支付")
    async def payments(self, info: Info[Any, Any]) -> list[Payment]:
        items = await linked(info, "funding", "/payments/by-enterprise", self.uscc)
        return [build(Payment, p) for p in items]

    @strawberry.field(description="Every change of the dossier / 档案变更历史")
    async def history(self, info: Info[Any, Any]) -> list[DossierVersion]:
        data = await enrollment_get(info, f"/enterprises/{self.uscc}/history")
        return [
            DossierVersion(
                version=v["version"],
                source=v["source"],
                changed_by=v["changed_by"],
                changed_role=v["changed_role"],
                changed_at=datetime.fromisoformat(v["changed_at"]),
                changes=v["changes"],
            )
            for v in data["items"]
        ]

    @strawberry.field(description="Dossier timeline fed by every service, newest first / 档案时间线")
    async def timeline(self, info: Info[Any, Any], limit: int = 200) -> list[TimelineItem]:
        data = await enrollment_get(info, f"/enterprises/{self.uscc}/timeline", limit=limit)
        return [
            TimelineItem(
                at=datetime.fromisoformat(i["at"]),
                kind=i["kind"],
                source=i["source"],
                summary=i["summary"],
                data=i["data"],
            )
            for i in data["items"]
        ]

    @strawberry.field(description="Honours and designations / 荣誉认定")
    async def designations(self, info: Info[Any, Any]) -> list[Designation]:
        data = await enrollment_get(info, f"/enterprises/{self.uscc}/designations")
        return [Designation.from_service(d) for d in data["items"]]

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "Enterprise":
        return cls(
            uscc=data["uscc"],
            name=data["name"],
            county_code=data["county_code"],
            industry_code=data["industry_code"],
            size_class=SizeClass(data["size_class"]),
            registered_at=datetime.fromisoformat(data["registered_at"]),
            programme_id=data.get("programme_id"),
            pilot_industry=data.get("pilot_industry"),
            srdi_status=SrdiStatus(data.get("srdi_status", "none")),
            srdi_recognised_on=day(data.get("srdi_recognised_on")),
            srdi_expires_on=day(data.get("srdi_expires_on")),
            annual_output_fen=data.get("annual_output_fen"),
            employees=data.get("employees"),
            output_tier=data.get("output_tier"),
            contact_name=data.get("contact_name"),
            contact_phone=data.get("contact_phone"),
            contact_email=data.get("contact_email"),
            officer_name=data.get("officer_name"),
            officer_phone=data.get("officer_phone"),
            officer_email=data.get("officer_email"),
            cloud_adopted=bool(data.get("cloud_adopted", False)),
            version=data.get("version", 1),
            admission_status=AdmissionStatus(data.get("admission_status", "registered")),
            batch_id=data.get("batch_id"),
        )


@strawberry.type(description="A page of enterprises / 企业列表分页")
class EnterpriseConnection(Connection[Enterprise]):
    items: list[Enterprise] = strawberry.field(description="本页企业 this page")
    total: int = strawberry.field(description="符合条件的总数 count of all matches")
    next_cursor: str | None = strawberry.field(description="下一页游标 pass as `after` for the next page")


@strawberry.type(description="A pilot industry of a programme / 试点行业")
class PilotIndustry:
    code: str = strawberry.field(description="编码 code")
    name: str = strawberry.field(description="名称 name")
    industry_codes: list[str] = strawberry.field(description="覆盖的国民经济行业分类 GB/T 4754 classes")
    counties: list[str] = strawberry.field(description="重点区县 leading counties, if named")


@strawberry.type(description="A county of a programme / 区县")
class County:
    code: str = strawberry.field(description="区县代码 code")
    name: str = strawberry.field(description="名称 name")


@strawberry.type(description="A date window / 时间窗口")
class Window:
    start: date = strawberry.field(description="开始 start")
    end: date = strawberry.field(description="结束 end")


def window(data: dict[str, str] | None) -> Window | None:
    return (
        Window(start=date.fromisoformat(data["start"]), end=date.fromisoformat(data["end"])) if data else None
    )


@strawberry.type(description="A batch (第N批) / 批次")
class Batch:
    id: str = strawberry.field(description="编号 id")
    number: int = strawberry.field(description="第N批 number")
    name: str = strawberry.field(description="名称 name")
    application_window: Window | None = strawberry.field(description="申报期 application window")
    diagnosis_window: Window | None = strawberry.field(description="诊断期 diagnosis window")
    implementation_window: Window | None = strawberry.field(description="实施期 implementation window")
    acceptance_window: Window | None = strawberry.field(description="验收期 acceptance window")

    @strawberry.field(description="Enterprises admitted into or applying to this batch / 本批次企业")
    async def enterprises(self, info: Info[Any, Any]) -> list[Enterprise]:
        loader = info.context.loader("enrollment", "/enterprises/by-batch", "batch_id", "batch_id", many=True)
        return [Enterprise.from_service(e) for e in await loader.load(self.id)]


@strawberry.type(description="A year's share of a target / 年度目标")
class YearValue:
    year: int = strawberry.field(description="年度 year")
    value: int = strawberry.field(description="目标值 value")


@strawberry.type(description="A row of the target table (目标表) / 目标")
class Target:
    code: str = strawberry.field(description="编码 code")
    name: str = strawberry.field(description="指标 name as the plan words it")
    unit: str = strawberry.field(description="单位 unit")
    total: int = strawberry.field(description="合计 total")
    by_year: list[YearValue] = strawberry.field(description="分年度 per-year split")
    part_of: str | None = strawberry.field(description="所属合计行 row this one is part of")
    note: str = strawberry.field(description="备注 note")


@strawberry.type(description="A review step of the admission workflow / 审核环节")
class ReviewStep:
    code: str = strawberry.field(description="编码 code")
    name: str = strawberry.field(description="名称 name")
    role: str = strawberry.field(description="审核角色 role that decides it")


@strawberry.type(description="A city's pilot programme (versioned configuration) / 试点项目")
class Programme:
    id: str = strawberry.field(description="编号 id")
    version: int = strawberry.field(description="配置版本 configuration version")
    city_code: str = strawberry.field(description="城市代码 city code")
    city_name: str = strawberry.field(description="城市 city")
    name: str = strawberry.field(description="名称 name")
    period_start: date = strawberry.field(description="试点开始 period start")
    period_end: date = strawberry.field(description="试点结束 period end")
    industries: list[PilotIndustry] = strawberry.field(description="试点行业 pilot industries")
    counties: list[County] = strawberry.field(description="区县 counties (empty: any)")
    batches: list[Batch] = strawberry.field(description="批次 batches")
    targets: list[Target] = strawberry.field(description="目标表 target table")
    review_steps: list[ReviewStep] = strawberry.field(description="审核环节 review steps")
    objection_window_days: int = strawberry.field(description="公示天数 public notice days")
    config: JSON = strawberry.field(description="完整配置 the whole configuration document")

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "Programme":
        c = data["config"]
        return cls(
            id=data["id"],
            version=data["version"],
            city_code=data["city_code"],
            city_name=data["city_name"],
            name=data["name"],
            period_start=date.fromisoformat(c["period"]["start"]),
            period_end=date.fromisoformat(c["period"]["end"]),
            industries=[PilotIndustry(**i) for i in c["industries"]],
            counties=[County(**x) for x in c["counties"]],
            batches=[
                Batch(
                    id=b["id"],
                    number=b["number"],
                    name=b["name"],
                    application_window=window(b.get("application_window")),
                    diagnosis_window=window(b.get("diagnosis_window")),
                    implementation_window=window(b.get("implementation_window")),
                    acceptance_window=window(b.get("acceptance_window")),
                )
                for b in c["batches"]
            ],
            targets=[
                Target(
                    code=t["code"],
                    name=t["name"],
                    unit=t["unit"],
                    total=t["total"],
                    by_year=[YearValue(year=int(y), value=v) for y, v in sorted(t["by_year"].items())],
                    part_of=t.get("part_of"),
                    note=t.get("note", ""),
                )
                for t in c["targets"]
            ],
            review_steps=[ReviewStep(**s) for s in c["review_steps"]],
            objection_window_days=c["objection_window_days"],
            config=c,
        )


@strawberry.type(description="One transition of an application / 申报流转记录")
class ApplicationAction:
    action: str = strawberry.field(description="操作 action")
    step: str | None = strawberry.field(description="审核环节 review step")
    decision: str | None = strawberry.field(description="结论 decision")
    from_status: str = strawberry.field(description="原状态 from")
    to_status: str = strawberry.field(description="新状态 to")
    actor_role: str = strawberry.field(description="操作角色 role")
    comment: str | None = strawberry.field(description="意见 comment")
    occurred_at: datetime = strawberry.field(description="时间 when (UTC)")


@strawberry.type(description="An objection raised during the public notice / 公示异议")
class Objection:
    id: str = strawberry.field(description="编号 id")
    content: str = strawberry.field(description="异议内容 content")
    raised_role: str = strawberry.field(description="提出人角色 raised by role")
    raised_at: datetime = strawberry.field(description="提出时间 raised at")
    status: str = strawberry.field(description="状态 open, upheld, dismissed")
    resolution: str | None = strawberry.field(description="处理意见 resolution")

    @classmethod
    def from_service(cls, o: dict[str, Any]) -> "Objection":
        return cls(
            id=o["id"],
            content=o["content"],
            raised_role=o["raised_role"],
            raised_at=datetime.fromisoformat(o["raised_at"]),
            status=o["status"],
            resolution=o.get("resolution"),
        )


@strawberry.type(description="An application (申报) to a programme's batch / 申报")
class Application:
    id: str = strawberry.field(description="编号 id")
    uscc: str = strawberry.field(description="统一社会信用代码 USCC")
    programme_id: str = strawberry.field(description="试点项目 programme")
    batch_id: str = strawberry.field(description="批次 batch")
    county_code: str = strawberry.field(description="区县 county")
    status: AdmissionStatus = strawberry.field(description="状态 status")
    current_step: str | None = strawberry.field(description="待审环节 review step waiting for a decision")
    declarations: JSON = strawberry.field(description="承诺事项 declarations")
    submitted_by_county: bool = strawberry.field(description="区县代为申报 filed by the county")
    submitted_at: datetime = strawberry.field(description="申报时间 submitted at")
    notice_ends_at: datetime | None = strawberry.field(description="公示截止 notice ends at")
    admitted_at: datetime | None = strawberry.field(description="入选时间 admitted at")
    reason: str | None = strawberry.field(description="退出/取消原因 reason")
    replaced_by: str | None = strawberry.field(description="替补申报 replacement application")
    replaces: str | None = strawberry.field(description="所替补的申报 application replaced")
    actions: list[ApplicationAction] = strawberry.field(description="流转记录 history (detail views only)")
    objections: list[Objection] = strawberry.field(description="异议 objections (detail views only)")

    @classmethod
    def from_service(cls, a: dict[str, Any]) -> "Application":
        return cls(
            id=a["id"],
            uscc=a["uscc"],
            programme_id=a["programme_id"],
            batch_id=a["batch_id"],
            county_code=a["county_code"],
            status=AdmissionStatus(a["status"]),
            current_step=a.get("current_step"),
            declarations=a["declarations"],
            submitted_by_county=a["submitted_by_county"],
            submitted_at=datetime.fromisoformat(a["submitted_at"]),
            notice_ends_at=moment(a.get("notice_ends_at")),
            admitted_at=moment(a.get("admitted_at")),
            reason=a.get("reason"),
            replaced_by=a.get("replaced_by"),
            replaces=a.get("replaces"),
            actions=[
                ApplicationAction(
                    action=x["action"],
                    step=x["step"],
                    decision=x["decision"],
                    from_status=x["from_status"],
                    to_status=x["to_status"],
                    actor_role=x["actor_role"],
                    comment=x["comment"],
                    occurred_at=datetime.fromisoformat(x["occurred_at"]),
                )
                for x in a.get("actions", [])
            ],
            objections=[Objection.from_service(o) for o in a.get("objections", [])],
        )


@strawberry.type(description="A page of applications / 申报列表分页")
class ApplicationConnection(Connection[Application]):
    items: list[Application] = strawberry.field(description="本页 this page")
    total: int = strawberry.field(description="总数 count of all matches")
    next_cursor: str | None = strawberry.field(description="下一页游标 next page cursor")


@strawberry.type(description="Admission funnel for one batch and county / 入选漏斗")
class FunnelRow:
    batch_id: str = strawberry.field(description="批次 batch ('*' for all)")
    county_code: str = strawberry.field(description="区县 county ('*' for all)")
    submitted: int = strawberry.field(description="申报数 applications submitted")
    passed_review: int = strawberry.field(description="通过审核数 approved, on notice or admitted")
    admitted: int = strawberry.field(description="入选数 admitted")
    by_status: JSON = strawberry.field(description="各状态数量 count per status")


@strawberry.type(description="Admission funnel of a programme / 入选漏斗")
class Funnel:
    programme_id: str = strawberry.field(description="试点项目 programme")
    rows: list[FunnelRow] = strawberry.field(description="按批次和区县 per batch and county")
    totals: FunnelRow = strawberry.field(description="合计 totals")


def funnel_row(r: dict[str, Any]) -> FunnelRow:
    return FunnelRow(
        batch_id=r["batch_id"],
        county_code=r["county_code"],
        submitted=r["submitted"],
        passed_review=r["passed_review"],
        admitted=r["admitted"],
        by_status=r["by_status"],
    )


@strawberry.type(description="A per-record error of a bulk push / 批量推送记录错误")
class PushError:
    row: int = strawberry.field(description="行号 record number")
    uscc: str | None = strawberry.field(description="统一社会信用代码 USCC, when readable")
    field: str = strawberry.field(description="字段 field")
    code: str = strawberry.field(description="错误代码 code")
    message: str = strawberry.field(description="English message / 英文说明")
    message_zh: str = strawberry.field(description="中文说明 Chinese message")


@strawberry.type(description="Answer to a bulk push / 批量推送结果")
class PushReport:
    request_id: str = strawberry.field(description="请求编号 client request id")
    outcome: str = strawberry.field(description="结果 applied, rejected, dry_run, replayed")
    total: int = strawberry.field(description="收到记录数 records received")
    created: int = strawberry.field(description="新增 created")
    updated: int = strawberry.field(description="更新 updated")
    unchanged: int = strawberry.field(description="无变化 unchanged")
    rejected: int = strawberry.field(description="有错误的记录数 records with errors")
    errors: list[PushError] = strawberry.field(description="逐条错误 per-record errors")


@strawberry.type(description="A member of the expert pool / 专家")
class Expert:
    id: str = strawberry.field(description="编号（登录名） id, the login subject")
    name: str = strawberry.field(description="姓名 name")
    employer: str = strawberry.field(description="工作单位 employer")
    employer_uscc: str | None = strawberry.field(description="单位统一社会信用代码 employer USCC")
    fields: list[str] = strawberry.field(description="专业领域 fields")
    links: JSON = strawberry.field(description="关联方 linked enterprises and providers")


@strawberry.type(description="A recorded, reproducible expert draw / 专家抽取记录")
class ExpertDraw:
    id: str = strawberry.field(description="编号 id")
    application_id: str = strawberry.field(description="申报 application")
    seed: str = strawberry.field(description="随机种子 seed")
    eligible: list[str] = strawberry.field(description="候选专家 eligible experts, in draw order")
    excluded: JSON = strawberry.field(description="回避专家及原因 excluded experts and why")
    selected: list[str] = strawberry.field(description="抽中专家 selected experts")
    drawn_at: datetime = strawberry.field(description="抽取时间 drawn at")


@strawberry.type(description="A target row next to what the platform counts / 目标完成情况")
class TargetProgress:
    code: str = strawberry.field(description="编码 code")
    name: str = strawberry.field(description="指标 name")
    unit: str = strawberry.field(description="单位 unit")
    total: int = strawberry.field(description="目标合计 target total")
    by_year: list[YearValue] = strawberry.field(description="分年度目标 target per year")
    actual: int | None = strawberry.field(
        description="已完成 counted so far; null when the platform does not count it"
    )
    actual_by_year: list[YearValue] = strawberry.field(description="分年度完成 counted per year")

    @classmethod
    def from_service(cls, t: dict[str, Any]) -> "TargetProgress":
        def years(values: dict[str, int]) -> list[YearValue]:
            return [YearValue(year=int(y), value=v) for y, v in sorted(values.items())]

        return cls(
            code=t["code"],
            name=t["name"],
            unit=t["unit"],
            total=t["total"],
            by_year=years(t["by_year"]),
            actual=t["actual"],
            actual_by_year=years(t["actual_by_year"]),
        )


@strawberry.type(description="A file to download / 下载文件")
class ExportFile:
    filename: str = strawberry.field(description="文件名 file name")
    content_type: str = strawberry.field(description="媒体类型 media type")
    content_base64: str = strawberry.field(description="文件内容（base64） content, base64-encoded")


@strawberry.enum(description="Order of the expert pool; keep it while paging / 专家库排序")
class ExpertOrder(Enum):
    ID = strawberry.enum_value("id", description="By expert id, the default / 按专家编号（默认）")
    NAME = strawberry.enum_value("name", description="By name / 按姓名")
    ADDED_NEWEST = strawberry.enum_value("added_newest", description="Latest added first / 最新入库在前")


@strawberry.type(description="A page of the expert pool / 专家库分页")
class ExpertConnection(Connection[Expert]):
    items: list[Expert] = strawberry.field(description="本页 this page")
    total: int = strawberry.field(description="总数 count of all matches")
    next_cursor: str | None = strawberry.field(description="下一页游标 next page cursor")
