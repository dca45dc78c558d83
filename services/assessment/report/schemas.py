from datetime import datetime

from pydantic import BaseModel, Field


class RadarPoint(BaseModel):
    code: str
    name: str
    score: str = Field(description="Exact decimal")
    max: str
    percent: str = Field(description="score / max x 100, one decimal")


class AssessmentSummary(BaseModel):
    assessment_id: str
    kind: str
    index_code: str
    level: int
    base_score: str
    dimensions: list[RadarPoint] = Field(description="Dimension radar / 维度雷达")
    scenario_levels: dict[str, int]
    explanation: str
    pain_points: list[str]
    needed_scenarios: list[str]
    report: str


class ScenarioComparison(BaseModel):
    code: str
    name: str
    mandatory: bool
    before: int | None = Field(description="Level in the diagnosis (改造前)")
    after: int | None = Field(description="Level in the acceptance evaluation (改造后)")


class EnterpriseReport(BaseModel):
    uscc: str
    name: str
    county_code: str
    industry_code: str
    size_class: str
    current_level: int | None
    pilot_revoked_at: datetime | None = Field(description="Pilot status revoked by a revisit, if so")
    self_assessment: AssessmentSummary | None
    diagnosis: AssessmentSummary | None = Field(description="Before transformation / 改造前")
    acceptance: AssessmentSummary | None = Field(description="Certified after transformation / 改造后")
    scenarios: list[ScenarioComparison]


class LevelGroup(BaseModel):
    group: str = Field(description="Industry code, county code, or 'all'")
    enterprises: int
    before: dict[str, int] = Field(description="Enterprises per diagnosed level ('none' = not diagnosed)")
    after: dict[str, int] = Field(description="Enterprises per certified level ('none' = not accepted)")
    above_scale: int
    above_scale_at_target: int = Field(
        description="Above-scale enterprises certified at the target level or more"
    )
    above_scale_share_percent: str | None = Field(
        description="Share, one decimal; null without any above-scale"
    )


class LevelDistribution(BaseModel):
    target_level: int
    group_by: str
    total: LevelGroup
    groups: list[LevelGroup]


class BelowTarget(BaseModel):
    uscc: str
    name: str
    county_code: str
    industry_code: str
    size_class: str
    level_before: int | None
    level_after: int | None


class BelowTargetList(BaseModel):
    target_level: int
    total: int
    items: list[BelowTarget]
    # Set only when read a page at a time (`limit` or `cursor` given).
    next_cursor: str | None = None


class PdfDocument(BaseModel):
    filename: str
    content_type: str = "application/pdf"
    base64: str = Field(
        description="The PDF, base64-encoded (for clients that cannot take binary, e.g. GraphQL)"
    )
