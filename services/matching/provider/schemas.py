from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.matching.provider.models import ProviderKind, ProviderStatus


class Case(BaseModel):
    title: str = Field(min_length=1, max_length=200, description="Case title / 案例名称")
    customer: str | None = Field(default=None, max_length=200, description="Customer / 客户")
    description: str | None = Field(default=None, max_length=2000)


class ProviderApply(BaseModel):
    """An application to the provider pool / 服务商入库申请."""

    uscc: str = Field(min_length=1, max_length=30, description="The provider company's 统一社会信用代码")
    name: str = Field(min_length=1, max_length=200)
    kind: ProviderKind = Field(
        description="综合型 integrated / 专业型 specialist / 总包商 general contractor"
    )
    industries: list[str] = Field(min_length=1, max_length=50, description="Industry codes served")
    counties: list[str] = Field(min_length=1, max_length=50, description="County codes served")
    staff_on_site: int = Field(ge=0, le=100000, description="本地服务支撑人员数")
    cases: list[Case] = Field(default_factory=list, max_length=50)
    certifications: list[str] = Field(default_factory=list, max_length=50)
    related_usccs: list[str] = Field(
        default_factory=list, max_length=200, description="Companies linked by ownership or legal person"
    )

    @field_validator("uscc", mode="before")
    @classmethod
    def upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("related_usccs", mode="before")
    @classmethod
    def upper_all(cls, value: object) -> object:
        return [v.upper() if isinstance(v, str) else v for v in value] if isinstance(value, list) else value


class ProviderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    provider_id: str
    uscc: str
    name: str
    kind: ProviderKind
    industries: list[str]
    counties: list[str]
    staff_on_site: int
    cases: list[Case]
    certifications: list[str]
    status: ProviderStatus
    status_reason: str | None
    review_score_centi: int | None = Field(description="Mean expert score x100")
    notice_until: datetime | None
    confidentiality_signed: bool = Field(description="保密协议已签署")
    rating_centi: int | None = Field(description="Latest overall rating x100")
    open_projects: int
    applied_at: datetime
    listed_at: datetime | None


class ProviderPage(BaseModel):
    items: list[ProviderRead]
    total: int
    next_cursor: str | None


class ReviewCreate(BaseModel):
    scores: dict[str, int] = Field(description="Score 0-100 per dimension of the current scoring sheet")
    comment: str | None = Field(default=None, max_length=2000)


class ReviewRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    provider_id: str
    expert: str
    scores: dict[str, int]
    total_centi: int
    sheet_version: int
    comment: str | None
    reviewed_at: datetime


class Decision(StrEnum):
    approve = "approve"
    reject = "reject"


class DecisionCreate(BaseModel):
    decision: Decision
    reason: str | None = Field(default=None, max_length=2000)
    notice_days: int = Field(default=7, ge=0, le=60, description="Public notice (公示) period in days")


PERIOD = r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$"


class RatingCreate(BaseModel):
    period: str = Field(pattern=PERIOD, description="2026-11, 2026-Q4 or 2026")
    scores: dict[str, int] = Field(description="Score 0-100 per dimension of the rating sheet")


class RatingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    provider_id: str
    period: str
    scores: dict[str, int]
    overall_centi: int
    sheet_version: int
    rated_at: datetime


class StatusAction(StrEnum):
    warn = "warn"
    suspend = "suspend"
    reinstate = "reinstate"
    remove = "remove"


class StatusChange(BaseModel):
    action: StatusAction
    reason: str = Field(min_length=1, max_length=2000, description="Why / 原因")


class RatingFactsRead(BaseModel):
    """What the platform knows of a provider's period, and the scores it suggests for the rating sheet."""

    provider_id: str
    period: str
    projects_completed: int
    on_time: int = Field(description="Completed by the contract's end date")
    accepted: int = Field(description="Completed projects with an acceptance result")
    accepted_level2: int = Field(description="Of those, certified at level 2 or higher")
    satisfaction_count: int = Field(description="Enterprise product ratings in the period")
    satisfaction_avg_centi: int | None = Field(description="Mean enterprise rating (1-5) x100")
    suggested_scores: dict[str, int] = Field(description="Suggested 0-100 scores per rating dimension")


class RatingsOfProviders(BaseModel):
    """Ratings of several providers at once (batch read for the gateway's DataLoaders)."""

    items: list[RatingRead]


class ReviewPage(BaseModel):
    items: list[ReviewRead]
    total: int
    next_cursor: str | None


class RatingPage(BaseModel):
    items: list[RatingRead]
    total: int
    next_cursor: str | None
