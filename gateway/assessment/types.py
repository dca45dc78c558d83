"""GraphQL types of the assessment domain (评测): index versions, assessments, scores, gap plans,
reports, programme numbers and revisits."""

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gateway.convert import parse_datetime as _time
from gateway.pagination import Connection
from gateway.scalars import Fen


@strawberry.type(description="What the assessment service knows of an enterprise / 企业评测概况")
class AssessmentProfile:
    known_since: datetime = strawberry.field(
        description="When the assessment service learned of it / 收录时间"
    )
    current_level: int | None = strawberry.field(
        description="Certified maturity level 1-4, null before acceptance / 当前数字化水平等级"
    )
    pilot_revoked_at: datetime | None = strawberry.field(
        default=None, description="Pilot status revoked by a revisit (回头看), if so / 试点资格撤销时间"
    )


async def resolve_assessment_profile(uscc: str, info: Info[Any, Any]) -> AssessmentProfile | None:
    """Through the request's DataLoader over `GET /enterprises?uscc=...`: one call for a whole page;
    null when the assessment service does not know the enterprise (yet) or the caller may not see it."""
    data = await info.context.loader("assessment", "/enterprises").load(uscc)
    if data is None:
        return None
    return AssessmentProfile(
        known_since=datetime.fromisoformat(data["known_since"]),
        current_level=data["current_level"],
        pilot_revoked_at=_time(data.get("pilot_revoked_at")),
    )


@strawberry.enum(description="Kind of assessment / 评测类型")
class AssessmentKind(Enum):
    SELF = strawberry.enum_value("self", description="自评 self-assessment by the enterprise")
    DIAGNOSIS = strawberry.enum_value(
        "diagnosis", description="诊断 by the engaged provider, before transformation"
    )
    ACCEPTANCE = strawberry.enum_value(
        "acceptance", description="评测验收 by an evaluator, after transformation"
    )


@strawberry.enum(description="Where an assessment stands / 评测状态")
class AssessmentStatus(Enum):
    DRAFT = strawberry.enum_value("draft", description="草稿 editable by its assessor")
    SUBMITTED = strawberry.enum_value("submitted", description="已提交 scored and frozen")
    SIGNED_OFF = strawberry.enum_value(
        "signed_off", description="已复核 acceptance signed off by a second evaluator"
    )


@strawberry.enum(description="Order of the assessment list; keep it while paging / 评测列表排序")
class AssessmentOrder(Enum):
    NEWEST = strawberry.enum_value(
        "newest", description="Latest started first, the default / 按创建时间倒序（默认）"
    )
    OLDEST = strawberry.enum_value("oldest", description="Earliest started first / 按创建时间正序")
    LEVEL_HIGHEST = strawberry.enum_value(
        "level_highest", description="Highest level first, unscored last / 按等级从高到低（未评分在后）"
    )
    SCORE_HIGHEST = strawberry.enum_value(
        "score_highest",
        description="Highest base score first, unscored last / 按基础分从高到低（未评分在后）",
    )


@strawberry.enum(description="Revisit finding / 回头看结论")
class RevisitFinding(Enum):
    OK = strawberry.enum_value("ok", description="正常 systems running, data true")
    MINOR_ISSUES = strawberry.enum_value("minor_issues", description="存在问题 to be fixed, status kept")
    SYSTEMS_STOPPED = strawberry.enum_value("systems_stopped", description="系统停用: pilot status revoked")
    DATA_FALSIFIED = strawberry.enum_value("data_falsified", description="数据造假: pilot status revoked")


@strawberry.enum(description="Grouping of programme numbers / 统计维度")
class LevelGrouping(Enum):
    INDUSTRY = strawberry.enum_value("industry", description="按行业 by industry code")
    COUNTY = strawberry.enum_value("county", description="按区县 by county")


@strawberry.type(description="A loaded version of the maturity index / 评测指标版本")
class IndexVersion:
    code: str = strawberry.field(description="Version code, e.g. miit-2024-manufacturing / 版本编码")
    name: str = strawberry.field(description="Title / 名称")
    version: str = strawberry.field(description="Edition, e.g. 2024 / 版次")
    sector: str = strawberry.field(description="Sector, e.g. manufacturing / 适用行业")
    status: str = strawberry.field(description="active or retired / 状态")
    sha256: str = strawberry.field(description="Hash of the stored document / 文档摘要")
    loaded_at: datetime = strawberry.field(description="Loaded at (UTC) / 载入时间")
    document: JSON | None = strawberry.field(
        description="Whole document (questions, scenarios, level rule); on one version only / 指标全文"
    )

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "IndexVersion":
        return cls(
            code=data["code"],
            name=data["name"],
            version=data["version"],
            sector=data["sector"],
            status=data["status"],
            sha256=data["sha256"],
            loaded_at=datetime.fromisoformat(data["loaded_at"]),
            document=data.get("document"),
        )


@strawberry.type(description="Options chosen for one question / 题目作答")
class Answer:
    question_code: str = strawberry.field(description="Question code, e.g. D1.1.1 / 题目编码")
    options: list[str] = strawberry.field(description="Chosen option keys / 所选选项")


@strawberry.type(description="Level reached in one business scenario / 场景等级")
class ScenarioLevelEntry:
    scenario_code: str = strawberry.field(description="Scenario code, e.g. S01 / 场景编码")
    level: int = strawberry.field(description="Level 0-4 / 等级")


@strawberry.type(description="Evidence for a question or scenario / 佐证材料")
class EvidenceEntry:
    code: str = strawberry.field(description="Question or scenario code / 题目或场景编码")
    values: list[str] = strawberry.field(description="formField values in the index's order / 填报数据")
    attachments: list[str] = strawberry.field(description="Attachment references / 附件")
    note: str = strawberry.field(description="Note / 说明")


@strawberry.type(description="Score of one node of the index tree / 得分")
class ScoreNode:
    code: str = strawberry.field(description="Question, indicator or dimension code / 编码")
    name: str = strawberry.field(description="Name or question title / 名称")
    score: str = strawberry.field(description="Exact decimal score / 得分")
    max: str = strawberry.field(description="Maximum / 满分")


@strawberry.type(description="One threshold of a level rule / 等级条件")
class ThresholdCheck:
    kind: str = strawberry.field(description="base_score, scenarios or mandatory_scenarios / 条件类型")
    required: str = strawberry.field(description="Required value / 要求")
    actual: str = strawberry.field(description="Actual value / 实际")
    met: bool = strawberry.field(description="Met / 是否满足")
    shortfall: str = strawberry.field(description="Missing amount, 0 if met / 差距")


@strawberry.type(description="A level rule checked against the result / 等级判定")
class LevelCheck:
    level: int = strawberry.field(description="Level 1-4 / 等级")
    name: str = strawberry.field(description="Level name / 等级名称")
    met: bool = strawberry.field(description="All thresholds met / 是否达到")
    text: str = strawberry.field(description="Explanation with the numbers / 说明")
    checks: list[ThresholdCheck] = strawberry.field(description="Each threshold / 各项条件")


@strawberry.type(description="Scores and level of an assessment / 评测结果")
class ScoreResult:
    index_code: str = strawberry.field(description="Index version used / 指标版本")
    base_score: str = strawberry.field(description="Base score out of 100, exact / 基础得分")
    level: int = strawberry.field(description="Maturity level 0-4 / 数字化水平等级")
    explanation: str = strawberry.field(description="Thresholds met and missed / 判定说明")
    dimensions: list[ScoreNode] = strawberry.field(description="Per dimension (radar) / 维度得分")
    indicators: list[ScoreNode] = strawberry.field(description="Per indicator / 指标得分")
    questions: list[ScoreNode] = strawberry.field(description="Per question / 题目得分")
    level_checks: list[LevelCheck] = strawberry.field(description="Each level rule, highest first / 等级判定")

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "ScoreResult":
        def nodes(items: list[dict[str, Any]]) -> list[ScoreNode]:
            return [ScoreNode(code=n["code"], name=n["name"], score=n["score"], max=n["max"]) for n in items]

        return cls(
            index_code=data["index_code"],
            base_score=data["base_score"],
            level=data["level"],
            explanation=data["explanation"],
            dimensions=nodes(data["dimensions"]),
            indicators=nodes(data["indicators"]),
            questions=nodes(data["questions"]),
            level_checks=[
                LevelCheck(
                    level=c["level"],
                    name=c["name"],
                    met=c["met"],
                    text=c["text"],
                    checks=[ThresholdCheck(**t) for t in c["checks"]],
                )
                for c in data["level_checks"]
            ],
        )


@strawberry.type(description="One improvement of a gap plan / 改进项")
class Improvement:
    kind: str = strawberry.field(description="question or scenario / 类型")
    code: str = strawberry.field(description="Question or scenario code / 编码")
    effort: int = strawberry.field(description="Effort units / 工作量")
    from_level: int = strawberry.field(description="Scenario level now / 当前场景等级")
    to_level: int = strawberry.field(description="Scenario level needed / 目标场景等级")
    from_options: list[str] = strawberry.field(description="Options now / 当前选项")
    to_options: list[str] = strawberry.field(description="Options needed / 目标选项")
    score_gain: str = strawberry.field(description="Score gained / 增加得分")


@strawberry.type(description="Least-effort improvements to reach a level / 差距分析")
class GapPlan:
    current_level: int = strawberry.field(description="Level now / 当前等级")
    target_level: int = strawberry.field(description="Target level / 目标等级")
    reachable: bool = strawberry.field(description="Can be reached / 是否可达")
    effort: int = strawberry.field(description="Total effort units / 总工作量")
    improvements: list[Improvement] = strawberry.field(description="Cheapest first / 改进项")
    explanation: str = strawberry.field(description="What is missing / 说明")
    alternatives: list["GapPlan"] = strawberry.field(
        description="Next-cheapest distinct plans, ranked by effort / 备选方案"
    )

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "GapPlan":
        return cls(
            **{
                **data,
                "improvements": [Improvement(**i) for i in data["improvements"]],
                "alternatives": [GapPlan.from_service(a) for a in data.get("alternatives", [])],
            }
        )


@strawberry.type(description="A self-assessment, diagnosis or acceptance evaluation / 评测")
class Assessment:
    id: strawberry.ID = strawberry.field(description="Assessment id / 评测编号")
    uscc: str = strawberry.field(description="Enterprise USCC / 统一社会信用代码")
    county_code: str = strawberry.field(description="County / 区县")
    kind: AssessmentKind = strawberry.field(description="Kind / 类型")
    status: AssessmentStatus = strawberry.field(description="Status / 状态")
    index_code: str = strawberry.field(description="Index version used / 指标版本")
    revision: int = strawberry.field(description="1, or more for corrections / 版本号")
    supersedes_id: str | None = strawberry.field(description="Assessment this one corrects / 更正的评测")
    superseded_by_id: str | None = strawberry.field(description="Correction replacing this one / 被更正为")
    assessor_role: str = strawberry.field(description="Role of the assessor / 评测人角色")
    assessor_id: str = strawberry.field(description="Enterprise, provider or evaluator organisation / 评测方")
    engagement_id: str | None = strawberry.field(description="Diagnosis engagement / 诊断对接")
    project_id: str | None = strawberry.field(description="Project evaluated / 验收项目")
    answers: list[Answer] = strawberry.field(description="Answers / 作答")
    scenario_levels: list[ScenarioLevelEntry] = strawberry.field(description="Scenario levels / 场景等级")
    evidence: list[EvidenceEntry] = strawberry.field(description="Evidence / 佐证")
    pain_points: list[str] = strawberry.field(description="Pain points / 痛点")
    needed_scenarios: list[str] = strawberry.field(description="Needed scenarios / 需求场景")
    report: str = strawberry.field(description="Report text / 报告")
    level: int | None = strawberry.field(description="Level 0-4 once submitted / 等级")
    base_score: str | None = strawberry.field(description="Base score, exact / 基础得分")
    result: ScoreResult | None = strawberry.field(description="Scores and explanation / 评测结果")
    second_evaluator_id: str | None = strawberry.field(description="Who signed off / 复核人")
    created_at: datetime = strawberry.field(description="Created (UTC) / 创建时间")
    submitted_at: datetime | None = strawberry.field(description="Submitted (UTC) / 提交时间")
    signed_off_at: datetime | None = strawberry.field(description="Signed off (UTC) / 复核时间")

    @strawberry.field(description="Least-effort improvements to a target level / 差距分析")
    async def gap(self, info: Info[Any, Any], target_level: int = 2) -> GapPlan:
        data = await info.context.clients.assessment.get(
            f"/assessments/{self.id}/gap", info.context.token, params={"target_level": target_level}
        )
        return GapPlan.from_service(data)

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "Assessment":
        return cls(
            id=strawberry.ID(data["id"]),
            uscc=data["uscc"],
            county_code=data["county_code"],
            kind=AssessmentKind(data["kind"]),
            status=AssessmentStatus(data["status"]),
            index_code=data["index_code"],
            revision=data["revision"],
            supersedes_id=data["supersedes_id"],
            superseded_by_id=data["superseded_by_id"],
            assessor_role=data["assessor_role"],
            assessor_id=data["assessor_id"],
            engagement_id=data["engagement_id"],
            project_id=data["project_id"],
            answers=[Answer(question_code=k, options=v) for k, v in data["answers"].items()],
            scenario_levels=[
                ScenarioLevelEntry(scenario_code=k, level=v) for k, v in data["scenario_levels"].items()
            ],
            evidence=[EvidenceEntry(code=k, **v) for k, v in data["evidence"].items()],
            pain_points=data["pain_points"],
            needed_scenarios=data["needed_scenarios"],
            report=data["report"],
            level=data["level"],
            base_score=data["base_score"],
            result=ScoreResult.from_service(data["result"]) if data["result"] else None,
            second_evaluator_id=data["second_evaluator_id"],
            created_at=datetime.fromisoformat(data["created_at"]),
            submitted_at=_time(data["submitted_at"]),
            signed_off_at=_time(data["signed_off_at"]),
        )


@strawberry.type(description="A page of assessments / 评测列表")
class AssessmentPage(Connection[Assessment]):
    items: list[Assessment] = strawberry.field(description="Newest first / 评测")
    total: int = strawberry.field(description="Total matching the filters / 总数")
    next_cursor: str | None = strawberry.field(description="Pass as `after` for the next page / 下一页游标")


@strawberry.type(description="A dimension on the radar / 维度雷达点")
class RadarPoint:
    code: str = strawberry.field(description="Dimension code / 维度编码")
    name: str = strawberry.field(description="Dimension name / 维度名称")
    score: str = strawberry.field(description="Score / 得分")
    max: str = strawberry.field(description="Maximum / 满分")
    percent: str = strawberry.field(description="Score as % of maximum / 得分率")


@strawberry.type(description="Summary of one assessment for a report / 评测摘要")
class AssessmentSummary:
    assessment_id: str = strawberry.field(description="Assessment id / 评测编号")
    kind: str = strawberry.field(description="Kind / 类型")
    index_code: str = strawberry.field(description="Index version / 指标版本")
    level: int = strawberry.field(description="Level / 等级")
    base_score: str = strawberry.field(description="Base score / 基础得分")
    dimensions: list[RadarPoint] = strawberry.field(description="Radar / 维度雷达")
    explanation: str = strawberry.field(description="Level explanation / 判定说明")
    pain_points: list[str] = strawberry.field(description="Pain points / 痛点")
    needed_scenarios: list[str] = strawberry.field(description="Needed scenarios / 需求场景")
    report: str = strawberry.field(description="Report text / 报告")

    @classmethod
    def from_service(cls, data: dict[str, Any] | None) -> "AssessmentSummary | None":
        if data is None:
            return None
        fields = {k: v for k, v in data.items() if k not in ("dimensions", "scenario_levels")}
        return cls(**fields, dimensions=[RadarPoint(**d) for d in data["dimensions"]])


@strawberry.type(description="A scenario before and after / 场景改造前后")
class ScenarioComparison:
    code: str = strawberry.field(description="Scenario code / 场景编码")
    name: str = strawberry.field(description="Scenario name / 场景名称")
    mandatory: bool = strawberry.field(description="约束性场景 mandatory / 是否约束性")
    before: int | None = strawberry.field(description="Level in the diagnosis / 改造前")
    after: int | None = strawberry.field(description="Level in the acceptance / 改造后")


@strawberry.type(description="An enterprise's assessment report / 企业评测报告")
class EnterpriseReport:
    uscc: str = strawberry.field(description="USCC / 统一社会信用代码")
    name: str = strawberry.field(description="Name / 企业名称")
    county_code: str = strawberry.field(description="County / 区县")
    industry_code: str = strawberry.field(description="Industry / 行业")
    size_class: str = strawberry.field(description="above_scale or below_scale / 规模")
    current_level: int | None = strawberry.field(description="Certified level / 认定等级")
    pilot_revoked_at: datetime | None = strawberry.field(
        description="Pilot status revoked at / 试点资格撤销时间"
    )
    self_assessment: AssessmentSummary | None = strawberry.field(description="Latest self-assessment / 自评")
    diagnosis: AssessmentSummary | None = strawberry.field(description="Before transformation / 改造前诊断")
    acceptance: AssessmentSummary | None = strawberry.field(description="After transformation / 改造后验收")
    scenarios: list[ScenarioComparison] = strawberry.field(
        description="Scenario levels before/after / 场景对比"
    )

    @strawberry.field(description="The report as a base64 PDF / 报告PDF（base64）")
    async def pdf_base64(self, info: Info[Any, Any]) -> str:
        data = await info.context.clients.assessment.get(
            f"/enterprises/{self.uscc}/report.pdf.json", info.context.token
        )
        return str(data["base64"])

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "EnterpriseReport":
        return cls(
            uscc=data["uscc"],
            name=data["name"],
            county_code=data["county_code"],
            industry_code=data["industry_code"],
            size_class=data["size_class"],
            current_level=data["current_level"],
            pilot_revoked_at=_time(data["pilot_revoked_at"]),
            self_assessment=AssessmentSummary.from_service(data["self_assessment"]),
            diagnosis=AssessmentSummary.from_service(data["diagnosis"]),
            acceptance=AssessmentSummary.from_service(data["acceptance"]),
            scenarios=[ScenarioComparison(**s) for s in data["scenarios"]],
        )


@strawberry.type(description="Enterprises at one level / 等级人数")
class LevelCount:
    level: str = strawberry.field(description="0-4, or none (not assessed) / 等级")
    enterprises: int = strawberry.field(description="Count / 企业数")


def _counts(data: dict[str, int]) -> list[LevelCount]:
    return [LevelCount(level=k, enterprises=v) for k, v in data.items()]


@strawberry.type(description="Level distribution of a group / 分组等级分布")
class LevelGroup:
    group: str = strawberry.field(description="Industry or county code, or all / 分组")
    enterprises: int = strawberry.field(description="Enterprises / 企业数")
    before: list[LevelCount] = strawberry.field(description="Diagnosed levels / 改造前等级分布")
    after: list[LevelCount] = strawberry.field(description="Certified levels / 改造后等级分布")
    above_scale: int = strawberry.field(description="Above-scale enterprises / 规上企业数")
    above_scale_at_target: int = strawberry.field(description="Above-scale at target level / 规上达标数")
    above_scale_share_percent: str | None = strawberry.field(description="Share at target, % / 规上达标率")

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "LevelGroup":
        return cls(**{**data, "before": _counts(data["before"]), "after": _counts(data["after"])})


@strawberry.type(description="Programme level distribution / 试点等级分布")
class LevelDistribution:
    target_level: int = strawberry.field(description="Target level / 目标等级")
    group_by: str = strawberry.field(description="industry or county / 分组")
    total: LevelGroup = strawberry.field(description="All enterprises / 合计")
    groups: list[LevelGroup] = strawberry.field(description="Per group / 各组")


@strawberry.type(description="An enterprise below the target level / 未达标企业")
class BelowTarget:
    uscc: str = strawberry.field(description="USCC / 统一社会信用代码")
    name: str = strawberry.field(description="Name / 企业名称")
    county_code: str = strawberry.field(description="County / 区县")
    industry_code: str = strawberry.field(description="Industry / 行业")
    size_class: str = strawberry.field(description="Size class / 规模")
    level_before: int | None = strawberry.field(description="Diagnosed level / 改造前等级")
    level_after: int | None = strawberry.field(description="Certified level / 改造后等级")


@strawberry.type(description="A revisit of one enterprise / 回头看")
class Revisit:
    id: strawberry.ID = strawberry.field(description="Revisit id / 编号")
    draw_id: str = strawberry.field(description="Draw it belongs to / 所属抽查")
    uscc: str = strawberry.field(description="USCC / 统一社会信用代码")
    county_code: str = strawberry.field(description="County / 区县")
    status: str = strawberry.field(description="pending or recorded / 状态")
    finding: str | None = strawberry.field(description="Finding / 结论")
    detail: str = strawberry.field(description="Detail / 情况说明")
    revoked: bool = strawberry.field(description="Pilot status revoked / 是否撤销试点资格")
    recorded_by: str | None = strawberry.field(description="Recorded by / 记录人")
    recorded_at: datetime | None = strawberry.field(description="Recorded at (UTC) / 记录时间")

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "Revisit":
        return cls(
            **{
                **data,
                "id": strawberry.ID(data["id"]),
                "recorded_at": _time(data["recorded_at"]),
            }
        )


@strawberry.type(description="A seeded random draw for revisits / 回头看抽查")
class RevisitDraw:
    id: strawberry.ID = strawberry.field(description="Draw id / 编号")
    label: str = strawberry.field(description="Label / 名称")
    seed: str = strawberry.field(description="Seed recorded for reproduction / 随机种子")
    sample_size: int = strawberry.field(description="Enterprises drawn / 抽查数量")
    batch_id: str | None = strawberry.field(description="Batch restricted to / 批次")
    county_code: str | None = strawberry.field(description="County restricted to / 区县")
    population: list[str] = strawberry.field(description="Accepted enterprises drawn from / 抽查总体")
    drawn: list[str] = strawberry.field(description="Drawn enterprises / 抽中企业")
    drawn_by: str = strawberry.field(description="Who drew / 抽查人")
    drawn_at: datetime = strawberry.field(description="Drawn at (UTC) / 抽查时间")
    reproducible: bool = strawberry.field(description="Re-drawing gives the same sample / 可复现")
    revisits: list[Revisit] = strawberry.field(description="Revisits (one draw only) / 回头看记录")

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "RevisitDraw":
        return cls(
            **{
                **data,
                "id": strawberry.ID(data["id"]),
                "drawn_at": datetime.fromisoformat(data["drawn_at"]),
                "revisits": [Revisit.from_service(r) for r in data["revisits"]],
            }
        )


@strawberry.type(description="A completed project and its acceptance evaluation / 待验收项目")
class ProjectAwaiting:
    project_id: str = strawberry.field(description="Project / 改造项目")
    uscc: str = strawberry.field(description="Enterprise USCC / 统一社会信用代码")
    provider_id: str = strawberry.field(description="Delivering provider: may not evaluate / 实施服务商")
    contract_id: str = strawberry.field(description="Contract / 合同")
    spent_fen: Fen = strawberry.field(description="Spent, fen (分) / 支出")
    completed_at: datetime = strawberry.field(description="Completed (UTC) / 完工时间")
    acceptance_id: str | None = strawberry.field(description="Evaluation filed, if any / 验收评测")
    acceptance_status: str | None = strawberry.field(description="Its status / 验收状态")

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "ProjectAwaiting":
        return cls(**{**data, "completed_at": datetime.fromisoformat(data["completed_at"])})


@strawberry.enum(description="Order of the below-target list; keep it while paging / 未达标企业排序")
class BelowTargetOrder(Enum):
    USCC = strawberry.enum_value("uscc", description="By USCC, the default / 按统一社会信用代码（默认）")
    LEVEL_LOWEST = strawberry.enum_value(
        "level_lowest", description="Lowest current level first, unassessed first / 按当前等级从低到高"
    )


@strawberry.type(description="A page of enterprises below the target level / 未达标企业分页")
class BelowTargetPage(Connection[BelowTarget]):
    items: list[BelowTarget] = strawberry.field(description="Enterprises / 企业")
    total: int = strawberry.field(description="Total below the target / 总数")
    next_cursor: str | None = strawberry.field(description="Cursor of the next page / 下一页游标")


@strawberry.enum(description="Order of revisit draws; keep it while paging / 抽查记录排序")
class RevisitDrawOrder(Enum):
    NEWEST = strawberry.enum_value(
        "newest", description="Latest drawn first, the default / 最新抽查在前（默认）"
    )
    OLDEST = strawberry.enum_value("oldest", description="Earliest drawn first / 最早抽查在前")


@strawberry.type(description="A page of revisit draws / 回头看抽查分页")
class RevisitDrawPage(Connection[RevisitDraw]):
    items: list[RevisitDraw] = strawberry.field(description="Draws / 抽查")
    total: int = strawberry.field(description="Total matching / 总数")
    next_cursor: str | None = strawberry.field(description="Cursor of the next page / 下一页游标")
