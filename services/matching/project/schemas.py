from datetime import datetime

from pydantic import AnyHttpUrl, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from services.matching.project.models import (
    EngagementKind,
    EngagementStatus,
    PlanStatus,
    ProjectStatus,
    SpendingCategory,
)


class EngagementCreate(BaseModel):
    uscc: str = Field(description="The engaging enterprise (an enterprise may only name itself)")
    provider_id: str
    kind: EngagementKind = Field(description="诊断 diagnosis or 改造 transformation")
    solution_ids: list[str] = Field(
        default_factory=list, max_length=20, description="Chosen catalogue products"
    )


class BudgetLine(BaseModel):
    category: SpendingCategory
    amount_fen: int = Field(gt=0, le=10**12, description="Amount in fen (分)")
    description: str = Field(default="", max_length=500)


class PlanSubmit(BaseModel):
    goals: str = Field(min_length=1, max_length=5000, description="改造目标")
    scenario_codes: list[str] = Field(min_length=1, max_length=16)
    target_level: int = Field(ge=2, le=4, description="Maturity level to reach (the programme asks for ≥2)")
    budget: list[BudgetLine] = Field(min_length=1, max_length=50)


class PlanDecision(BaseModel):
    decision: str = Field(pattern=r"^(approve|return)$")
    reason: str | None = Field(default=None, max_length=2000)


class PlanRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    plan_id: str
    engagement_id: str
    goals: str
    scenario_codes: list[str]
    target_level: int
    budget: list[BudgetLine]
    total_fen: int
    status: PlanStatus
    status_reason: str | None
    submitted_at: datetime
    approved_at: datetime | None


class Attachment(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    url: AnyHttpUrl


class ContractSign(BaseModel):
    contract_id: str = Field(min_length=1, max_length=64, description="The contract's own number")
    amount_fen: int = Field(gt=0, le=10**12)
    lines: list[BudgetLine] | None = Field(default=None, description="Defaults to the approved plan's budget")
    signed_on: AwareDatetime
    starts_on: AwareDatetime
    ends_on: AwareDatetime
    attachments: list[Attachment] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def dates(self) -> "ContractSign":
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class MilestoneReport(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    progress_percent: int = Field(ge=0, le=100)
    report: str = Field(default="", max_length=5000)


class MilestoneRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    milestone_id: str
    project_id: str
    title: str
    progress_percent: int
    report: str
    reported_at: datetime
    confirmed_at: datetime | None


class ProjectRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    project_id: str
    engagement_id: str
    uscc: str
    provider_id: str
    contract_id: str
    amount_fen: int
    lines: list[BudgetLine]
    signed_on: datetime
    starts_on: datetime
    ends_on: datetime
    attachments: list[Attachment]
    status: ProjectStatus
    progress_percent: int
    completed_at: datetime | None
    accepted_level: int | None = Field(description="Level certified by the acceptance evaluation")
    accepted_at: datetime | None
    milestones: list[MilestoneRead] = Field(default_factory=list)


class EngagementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    engagement_id: str
    uscc: str
    county_code: str
    provider_id: str
    kind: EngagementKind
    solution_ids: list[str]
    status: EngagementStatus
    status_reason: str | None
    created_at: datetime
    closed_at: datetime | None
    plan: PlanRead | None = None
    project: ProjectRead | None = None


class EngagementsOfEnterprises(BaseModel):
    """Engagements of several enterprises at once (batch read for the gateway's DataLoaders)."""

    items: list[EngagementRead]


class EngagementPage(BaseModel):
    items: list[EngagementRead]
    total: int
    next_cursor: str | None


class CancelRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)
