"""The programme configuration (versioned data a city sets): its JSON schema is this pydantic model."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
CountyCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
IndustryCode = Annotated[str, StringConstraints(pattern=r"^[A-T]\d{0,4}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Year = Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
Metric = Annotated[
    str,
    StringConstraints(
        pattern=r"^(admitted|admitted_above_scale|admitted_below_scale|admitted_little_giant|admitted_srdi"
        r"|admitted_cloud|designation:(showcase|benchmark|smart_factory|digital_workshop|chain_leader"
        r"|chain_member|cluster_member|digital_pilot|new_srdi|new_little_giant)"
        # Counted by the other services' /stats/performance (see docs/api.md, Programme performance).
        r"|chain_cases|cluster_cases|honours|accepted|transformed|transformed_above_scale"
        r"|transformed_below_scale|level_up|level4|solutions|providers|activities|contracts_signed"
        r"|projects_in_progress|projects_completed|activities_matchmaking|activities_training"
        r"|activities_site_visit|funds_allocated|funds_paid)$"
    ),
]


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def unique(values: list[str], what: str) -> None:
    seen = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate {what} {value!r}")
        seen.add(value)


class Window(Config):
    start: date
    end: date

    @model_validator(mode="after")
    def ordered(self) -> "Window":
        if self.end < self.start:
            raise ValueError("window ends before it starts")
        return self


class County(Config):
    code: CountyCode = Field(description="GB/T 2260 code (or a platform-assigned one for a functional zone)")
    name: Text


class PilotIndustry(Config):
    code: Slug = Field(description="The programme's own code for the pilot industry")
    name: Text = Field(description="试点行业名称")
    industry_codes: list[IndustryCode] = Field(
        min_length=1, description="GB/T 4754 classes it covers (an enterprise's code starts with one)"
    )
    counties: list[CountyCode] = Field(default=[], description="Counties that lead this industry, if named")


class Batch(Config):
    id: Slug
    number: int = Field(ge=1, description="第N批")
    name: Text
    application_window: Window | None = None
    diagnosis_window: Window | None = None
    implementation_window: Window | None = None
    acceptance_window: Window | None = None


class Target(Config):
    code: Slug
    name: Text = Field(description="目标表 row as the plan words it")
    unit: Text
    total: int = Field(ge=0)
    by_year: dict[Year, int] = Field(default={}, description="Per-year split; sums to the total when given")
    part_of: Slug | None = Field(default=None, description="Row this one is a part of (规上 of 合计)")
    note: str = ""
    metrics: list[Metric] = Field(
        default=[],
        description="What the platform counts as progress (summed): admitted, admitted_above_scale, "
        "admitted_below_scale, admitted_little_giant, admitted_srdi, admitted_cloud, designation:<kind>; "
        "the other services' keys (transformed, level4, solutions, providers, ...) are composed by the "
        "gateway's programme performance",
    )

    denominator_metrics: list[Metric] = Field(
        default=[],
        description="For a share (unit %): actual = 100 × metrics ÷ these; empty: actual is the count",
    )

    @model_validator(mode="after")
    def split_adds_up(self) -> "Target":
        if self.by_year and sum(self.by_year.values()) != self.total:
            raise ValueError(f"target {self.code}: the yearly split does not add up to {self.total}")
        return self


class BaselineFigure(Config):
    code: Slug
    name: Text
    unit: Text
    value: str = Field(description="As printed in the plan (decimal text)")


class ReviewStep(Config):
    code: Slug
    name: Text
    role: Literal["county_admin", "city_admin", "expert"] = Field(description="Who decides this step")


class Declaration(Config):
    code: Slug
    text: Text


class OutputTier(Config):
    code: Slug
    name: Text
    min_fen: int = Field(ge=0)
    max_fen: int | None = Field(default=None, description="Exclusive upper bound; null: no bound")


DEFAULT_DECLARATIONS = (
    Declaration(code="leader_commitment", text="一把手改造意愿强"),
    Declaration(code="stable_operations", text="生产经营管理稳定"),
    Declaration(code="digital_base", text="具备数字化改造基础"),
    Declaration(code="showcase_willingness", text="愿意作为样本供同行看样学样"),
)
DEFAULT_OUTPUT_TIERS = (
    OutputTier(code="under_100m", name="年产值1亿元以下", min_fen=0, max_fen=10_000_000_000),
    OutputTier(code="100m_200m", name="年产值1亿元—2亿元", min_fen=10_000_000_000, max_fen=20_000_000_000),
    OutputTier(code="over_200m", name="年产值2亿元以上", min_fen=20_000_000_000),
)
DEFAULT_REVIEW_STEPS = (
    ReviewStep(code="county_review", name="区县初审", role="county_admin"),
    ReviewStep(code="city_review", name="市级审核", role="city_admin"),
)


class RankingCriterion(Config):
    code: Slug
    name: Text
    metrics: list[Metric] = Field(min_length=1, description="Summed per county and period")
    weight: int = Field(ge=0, le=100, description="Points for the best county; others in proportion")


class Ranking(Config):
    """A periodic county ranking (晾晒): who leads on which figures, and how they weigh."""

    name: Text
    period: Literal["quarter", "year"] = "quarter"
    criteria: list[RankingCriterion] = Field(min_length=1)
    top: int = Field(default=3, ge=1, description="How many leading counties are honoured")
    note: str = ""


class ProgrammeConfig(Config):
    """One city's pilot programme: validated on load, stored as a new version when it changes."""

    id: Slug
    city_code: CountyCode
    city_name: Text
    name: Text
    period: Window
    source: str = Field(default="", description="Where the numbers come from")
    industries: list[PilotIndustry] = Field(min_length=1)
    counties: list[County] = Field(default=[], description="Empty: any county of the city may take part")
    batches: list[Batch] = Field(min_length=1)
    targets: list[Target] = []
    baseline: list[BaselineFigure] = []
    review_steps: list[ReviewStep] = Field(default=list(DEFAULT_REVIEW_STEPS), min_length=1)
    objection_window_days: int = Field(default=5, ge=0, le=60, description="公示 length in days")
    enforce_application_windows: bool = Field(
        default=False, description="Refuse applications outside the batch's application window"
    )
    declarations: list[Declaration] = Field(default=list(DEFAULT_DECLARATIONS))
    output_tiers: list[OutputTier] = Field(default=list(DEFAULT_OUTPUT_TIERS))
    provider_limits: dict[Slug, int] = {}
    ranking: Ranking | None = Field(default=None, description="County ranking (晾晒), if the city runs one")

    @model_validator(mode="after")
    def consistent(self) -> "ProgrammeConfig":
        unique([i.code for i in self.industries], "industry")
        unique([c.code for c in self.counties], "county")
        unique([b.id for b in self.batches], "batch id")
        unique([str(b.number) for b in self.batches], "batch number")
        unique([t.code for t in self.targets], "target")
        unique([s.code for s in self.review_steps], "review step")
        unique([d.code for d in self.declarations], "declaration")
        codes = {t.code for t in self.targets}
        for target in self.targets:
            if target.part_of and target.part_of not in codes:
                raise ValueError(f"target {target.code} is part of unknown target {target.part_of}")
        for whole in self.targets:
            parts = [t for t in self.targets if t.part_of == whole.code]
            if parts and sum(p.total for p in parts) != whole.total:
                raise ValueError(f"target {whole.code}: its parts do not add up to {whole.total}")
        county_codes = {c.code for c in self.counties}
        for industry in self.industries:
            missing = set(industry.counties) - county_codes
            if county_codes and missing:
                raise ValueError(f"industry {industry.code} names unknown counties {sorted(missing)}")
        return self

    def batch(self, batch_id: str) -> Batch | None:
        return next((b for b in self.batches if b.id == batch_id), None)

    def industry(self, code: str) -> PilotIndustry | None:
        return next((i for i in self.industries if i.code == code), None)

    def county_allowed(self, county_code: str) -> bool:
        return not self.counties or any(c.code == county_code for c in self.counties)

    def output_tier(self, output_fen: int | None) -> str | None:
        if output_fen is None:
            return None
        for tier in self.output_tiers:
            if output_fen >= tier.min_fen and (tier.max_fen is None or output_fen < tier.max_fen):
                return tier.code
        return None


class ProgrammeRead(BaseModel):
    id: str
    version: int
    city_code: str
    city_name: str
    name: str
    config: ProgrammeConfig
    updated_by: str
    updated_at: datetime


class ProgrammeSummary(BaseModel):
    id: str
    version: int
    city_code: str
    city_name: str
    name: str
    updated_at: datetime


class ProgrammeList(BaseModel):
    items: list[ProgrammeSummary]


class ProgrammeVersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    programme_id: str
    version: int
    source: str = Field(description="seed preset, api")
    created_by: str
    created_at: datetime


class ProgrammeVersionList(BaseModel):
    items: list[ProgrammeVersionRead]


class SeedResult(BaseModel):
    id: str
    version: int
    changed: bool = Field(description="False when the stored version already equals the preset")


class SeedResults(BaseModel):
    items: list[SeedResult]


class TargetProgressRead(BaseModel):
    code: str
    name: str
    unit: str
    total: int
    by_year: dict[str, int]
    actual: int | None = Field(description="Counted by the platform; null when the row has no metric")
    actual_by_year: dict[str, int] = Field(description="By year of admission or of the honour")


class ProgrammeProgress(BaseModel):
    programme_id: str
    county_code: str | None = Field(description="Set when a county asks: its own share")
    targets: list[TargetProgressRead]
