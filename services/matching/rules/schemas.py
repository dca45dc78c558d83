from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, model_validator


class RuleKind(StrEnum):
    scoring_sheet = "scoring_sheet"
    solution_scoring_sheet = "solution_scoring_sheet"
    quotas = "quotas"
    rating_sheet = "rating_sheet"
    matching_weights = "matching_weights"
    common_needs = "common_needs"


class Dimension(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="Stable code of the dimension")
    name: str = Field(min_length=1, max_length=200, description="Display name / 名称")
    weight: int = Field(ge=0, le=100, description="Weight in percent / 权重")


def _weights_sum_to_100(dimensions: list[Dimension]) -> None:
    if sum(d.weight for d in dimensions) != 100:
        raise ValueError("dimension weights must add up to 100")
    if len({d.code for d in dimensions}) != len(dimensions):
        raise ValueError("dimension codes must be unique")


class ScoringSheet(BaseModel):
    """Expert review sheet for provider admission / 服务商遴选评分表."""

    dimensions: list[Dimension] = Field(min_length=1)
    pass_score: int = Field(ge=0, le=100, description="Lowest weighted mean that may be approved")

    @model_validator(mode="after")
    def check(self) -> "ScoringSheet":
        _weights_sum_to_100(self.dimensions)
        return self


class Quotas(BaseModel):
    """At most this many rostered providers of a kind per industry / 每行业服务商名额."""

    per_industry: dict[str, int] = Field(
        description="provider kind → maximum per industry; absent = no limit"
    )

    @model_validator(mode="after")
    def check(self) -> "Quotas":
        unknown = set(self.per_industry) - {"integrated", "specialist", "general_contractor"}
        if unknown or any(v < 0 for v in self.per_industry.values()):
            raise ValueError("quotas name provider kinds with non-negative limits")
        return self


class RatingSheet(BaseModel):
    """Periodic rating of rostered providers / 服务商动态考评."""

    period: str = Field(default="monthly", pattern=r"^(monthly|quarterly|yearly)$")
    dimensions: list[Dimension] = Field(min_length=1)
    warning_below: int = Field(ge=0, le=100, description="An overall rating below this warns the provider")
    full_marks_projects: int = Field(
        default=5,
        ge=1,
        le=1000,
        description="Completed projects in a period that earn full marks on 'projects'",
    )

    @model_validator(mode="after")
    def check(self) -> "RatingSheet":
        _weights_sum_to_100(self.dimensions)
        return self


MATCHING_FACTORS = (
    "scenario_coverage",
    "industry_fit",
    "county_served",
    "rating",
    "capacity",
    "price_fit",
    "track_record",
)


class MatchingWeights(BaseModel):
    """Weights of the ranking factors for one programme / 供需匹配权重."""

    weights: dict[str, int]
    max_open_projects: int = Field(ge=1, description="A provider with this many open projects is at capacity")

    @model_validator(mode="after")
    def check(self) -> "MatchingWeights":
        if set(self.weights) != set(MATCHING_FACTORS):
            raise ValueError(f"weights must name exactly {', '.join(MATCHING_FACTORS)}")
        if any(v < 0 for v in self.weights.values()) or sum(self.weights.values()) == 0:
            raise ValueError("weights are non-negative and not all zero")
        return self


class CommonNeedItem(BaseModel):
    code: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,40}$", description="Code of the common need, e.g. N01")
    title: str = Field(min_length=1, max_length=300)
    scenario_codes: list[str] = Field(min_length=1, description="MIIT scenarios it belongs to (S01..S16)")


class CommonNeeds(BaseModel):
    """The city's published N list per industry / 行业共性需求清单 (N)."""

    industries: dict[str, list[CommonNeedItem]]


DOCUMENT_SCHEMAS: dict[RuleKind, type[BaseModel]] = {
    RuleKind.scoring_sheet: ScoringSheet,
    RuleKind.solution_scoring_sheet: ScoringSheet,
    RuleKind.quotas: Quotas,
    RuleKind.rating_sheet: RatingSheet,
    RuleKind.matching_weights: MatchingWeights,
    RuleKind.common_needs: CommonNeeds,
}


class RulePublish(BaseModel):
    scope: str = Field(
        default="default", pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="default or a programme id"
    )
    document: dict[str, Any] = Field(description="The rule document; validated against the kind's schema")


class RuleRead(BaseModel):
    kind: RuleKind
    scope: str
    version: int = Field(description="0 = the preset shipped with the service")
    document: dict[str, Any]
    published_at: datetime | None = None
