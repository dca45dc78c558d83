from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.matching.provider.schemas import Case
from services.matching.solution.models import Deployment, PriceModel, SolutionStatus


class SolutionCreate(BaseModel):
    """A product or solution submitted to the 小快轻准 catalogue."""

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    scenario_codes: list[str] = Field(
        min_length=1, max_length=16, description="MIIT scenarios covered (S01..S16)"
    )
    industries: list[str] = Field(
        default_factory=list, max_length=50, description="Industry codes; empty = any"
    )
    deployment: Deployment = Field(description="SaaS / 私有化 private / 混合 hybrid")
    price_model: PriceModel
    list_price_fen: int = Field(ge=0, le=10**12, description="List price in fen (分)")
    implementation_days: int = Field(ge=1, le=3650, description="Typical implementation time in days")
    claimed_level_gain: int = Field(default=0, ge=0, le=4, description="Maturity levels it claims to add")
    claimed_effect: str = Field(default="", max_length=2000, description="Claimed effect / 预期成效")
    cases: list[Case] = Field(default_factory=list, max_length=50)


class SolutionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    solution_id: str
    provider_id: str
    name: str
    description: str
    scenario_codes: list[str]
    industries: list[str]
    deployment: Deployment
    price_model: PriceModel
    list_price_fen: int
    implementation_days: int
    claimed_level_gain: int
    claimed_effect: str
    cases: list[Case]
    status: SolutionStatus
    status_reason: str | None
    review_score_centi: int | None = Field(description="Mean expert score x100")
    notice_until: datetime | None
    uses: int
    rating_count: int
    rating_avg_centi: int | None = Field(description="Mean enterprise rating (1-5) x100")
    excellent_years: list[int]
    submitted_at: datetime
    listed_at: datetime | None


class SolutionsOfProviders(BaseModel):
    """Solutions of several providers at once (batch read for the gateway's DataLoaders)."""

    items: list[SolutionRead]


class SolutionPage(BaseModel):
    items: list[SolutionRead]
    total: int
    next_cursor: str | None


class SolutionDecision(BaseModel):
    decision: str = Field(
        pattern=r"^(approve|reject|delist)$", description="approve (into public notice), reject or delist"
    )
    reason: str | None = Field(default=None, max_length=2000)
    notice_days: int = Field(default=7, ge=0, le=60, description="Public notice (公示) period in days")


class SolutionRatingCreate(BaseModel):
    engagement_id: str = Field(description="The engagement in which the product was used")
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


class SolutionRatingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    solution_id: str
    engagement_id: str
    uscc: str
    score: int
    comment: str | None
    rated_at: datetime


class ExcellentCreate(BaseModel):
    year: int = Field(ge=2020, le=2100, description="Year of the 优秀产品 selection")


class SolutionReviewRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    solution_id: str
    expert: str
    scores: dict[str, int]
    total_centi: int
    sheet_version: int
    comment: str | None
    reviewed_at: datetime


class SolutionReviewPage(BaseModel):
    items: list[SolutionReviewRead]
    total: int
    next_cursor: str | None


class SolutionRatingPage(BaseModel):
    items: list[SolutionRatingRead]
    total: int
    next_cursor: str | None
