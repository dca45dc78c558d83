from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.assessment.index.service import DEFAULT_INDEX

Kind = Literal["self", "diagnosis", "acceptance"]


class Evidence(BaseModel):
    values: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Values of the question's formField evidence fields, in the index order (设备数量…)",
    )
    attachments: list[str] = Field(default_factory=list, max_length=50, description="Attachment references")
    note: str = Field(default="", max_length=4000)

    def is_empty(self) -> bool:
        return not (any(v.strip() for v in self.values) or self.attachments or self.note.strip())


class AssessmentContent(BaseModel):
    answers: dict[str, list[str]] = Field(
        default_factory=dict, description="Chosen option keys per question code, e.g. {'D1.1.1': ['B','C']}"
    )
    scenario_levels: dict[str, int] = Field(
        default_factory=dict, description="Level reached (0-4) per scenario code; missing means 0"
    )
    evidence: dict[str, Evidence] = Field(
        default_factory=dict, description="Evidence per question or scenario code (诊断/评测 only)"
    )
    pain_points: list[str] = Field(default_factory=list, max_length=50, description="痛点 (diagnosis)")
    needed_scenarios: list[str] = Field(default_factory=list, max_length=50, description="需求场景 codes")
    report: str = Field(default="", max_length=100_000, description="诊断报告 / 评测报告 text")


class AssessmentCreate(AssessmentContent):
    uscc: str = Field(min_length=18, max_length=18)
    kind: Kind
    index_code: str = Field(default=DEFAULT_INDEX, max_length=64)
    engagement_id: str | None = Field(default=None, max_length=64, description="Diagnosis engagement")
    project_id: str | None = Field(default=None, max_length=64, description="Project evaluated (acceptance)")
    supersedes_id: str | None = Field(
        default=None, max_length=36, description="Submitted assessment corrected"
    )


class AssessmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    uscc: str
    county_code: str
    kind: Kind
    status: str = Field(description="draft, submitted, signed_off (acceptance)")
    index_code: str
    revision: int
    supersedes_id: str | None
    superseded_by_id: str | None
    assessor_role: str
    assessor_id: str
    engagement_id: str | None
    project_id: str | None
    answers: dict[str, list[str]]
    scenario_levels: dict[str, int]
    evidence: dict[str, Evidence]
    pain_points: list[str]
    needed_scenarios: list[str]
    report: str
    level: int | None = Field(description="Maturity level 0-4 by the index's rule, once submitted")
    base_score: str | None = Field(description="Base score out of 100 as an exact decimal string")
    result: dict[str, Any] | None = Field(
        description="Scores per question/indicator/dimension and explanation"
    )
    second_evaluator_id: str | None
    created_at: datetime
    submitted_at: datetime | None
    signed_off_at: datetime | None


class AssessmentsOfEnterprises(BaseModel):
    """Assessments of several enterprises at once (batch read for the gateway's DataLoaders)."""

    items: list[AssessmentOut]


class AssessmentPage(BaseModel):
    items: list[AssessmentOut]
    total: int
    next_cursor: str | None


class ImprovementOut(BaseModel):
    kind: Literal["question", "scenario"]
    code: str
    effort: int
    from_level: int
    to_level: int
    from_options: list[str]
    to_options: list[str]
    score_gain: str


class GapPlanOut(BaseModel):
    current_level: int
    target_level: int
    reachable: bool
    effort: int = Field(description="Total effort units (index gap_effort weights)")
    improvements: list[ImprovementOut] = Field(description="Cheapest first")
    explanation: str
    alternatives: list["GapPlanOut"] = Field(
        default_factory=list, description="Next-cheapest distinct plans to the same target (ranked by effort)"
    )


class SignOff(BaseModel):
    comment: str = Field(default="", max_length=4000)


class ScoreRequest(AssessmentContent):
    index_code: str = Field(default=DEFAULT_INDEX, max_length=64)


class ScorePreview(BaseModel):
    level: int
    base_score: str
    result: dict[str, Any]


class ProjectAwaiting(BaseModel):
    project_id: str
    uscc: str
    provider_id: str = Field(description="Provider who delivered it: may not evaluate it")
    contract_id: str
    spent_fen: int = Field(description="Spent, in fen (分)")
    completed_at: datetime
    acceptance_id: str | None = Field(description="Acceptance evaluation filed, if any")
    acceptance_status: str | None = Field(description="draft, submitted or signed_off")


class AcceptanceQueue(BaseModel):
    items: list[ProjectAwaiting]
