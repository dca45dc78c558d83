"""The policy document (奖补政策): what a city edits without code, validated here.

Amounts are integer fen (分); rates are basis points (1 bp = 0.01 %, 5000 = 50 %).
"""

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

LEVELS = (1, 2, 3, 4)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Recipient(StrEnum):
    enterprise = "enterprise"
    provider = "provider"
    evaluator = "evaluator"
    programme = "programme"  # the city's own spending (training, events): budgeted, never claimed


class BaseKind(StrEnum):
    eligible_spending = "eligible_spending"  # spending in the listed categories
    actual_investment = "actual_investment"  # the project's whole actual investment
    loan_interest = "loan_interest"  # 数转贷 interest paid, per year
    service_income = "service_income"  # a provider's service income
    fixed = "fixed"  # a fixed amount per recipient
    count = "count"  # per unit (enterprises diagnosed, evaluations done)


class SourceLevel(StrEnum):
    central = "central"
    provincial = "provincial"
    city = "city"
    county = "county"


class Window(Strict):
    """Dates (inclusive) the event that earns the benefit must fall in; open ends allowed."""

    start: date | None = None
    end: date | None = None

    def contains(self, day: date | None) -> bool:
        if day is None:
            return self.start is None and self.end is None
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


class Eligibility(Strict):
    min_level: int = Field(0, ge=0, le=4, description="Certified level reached at least (0: no acceptance)")
    max_level: int = Field(4, ge=0, le=4)
    designations_any: list[str] = Field(
        default_factory=list, description="At least one of these designations (showcase, chain_case, ...)"
    )
    attributes: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Enterprise attribute → allowed values (size_class, srdi_status, ...)",
    )
    admitted: bool = Field(True, description="Only admitted pilot enterprises")
    window: Window = Field(default_factory=Window, description="When the earning event must happen")
    max_years_since_approval: int | None = Field(
        None, ge=1, description="Only within N years of the programme's approval (批复日)"
    )


class RateStep(Strict):
    year: int = Field(ge=1, description="Year since approval, 1 = the first 12 months")
    rate_bp: int = Field(ge=0, le=10000)


class Rate(Strict):
    rate_bp: int = Field(10000, ge=0, le=10000, description="Default rate")
    by_level: dict[int, int] = Field(default_factory=dict, description="Level → rate_bp")
    by_year_since_approval: list[RateStep] = Field(default_factory=list)


class Base(Strict):
    kind: BaseKind
    categories: list[str] = Field(default_factory=list, description="Eligible spending categories")
    amount_fen: int = Field(0, ge=0, description="For fixed: the amount; for count: the amount per unit")
    unit: str | None = Field(None, description="For count: which count (diagnoses, evaluations, products)")


class Caps(Strict):
    by_level_fen: dict[int, int] = Field(default_factory=dict, description="Level reached → cap")
    per_recipient_fen: int | None = Field(
        None, ge=0, description="Per enterprise/provider over the programme"
    )
    per_year_fen: int | None = Field(None, ge=0, description="Per recipient and calendar year")
    line_total_fen: int | None = Field(None, ge=0, description="Whole programme, this line")


class BenefitLine(Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")
    name: str
    seed_ref: str = Field("", description="Where the seed states it, e.g. 001 §19")
    recipient: Recipient = Recipient.enterprise
    eligibility: Eligibility = Field(default_factory=Eligibility)
    base: Base
    rate: Rate = Field(default_factory=Rate)
    caps: Caps = Field(default_factory=Caps)
    sources: list[str] | None = Field(
        None, description="Source levels to draw on, in order; default: policy's"
    )
    payee_must_be_contracted: bool = Field(
        False, description="Claims: every invoice's payee must be the provider of the claimed contract"
    )
    note: str = Field("", description="Choices made where the seed is ambiguous")

    def rate_for(self, level: int, year_since_approval: int | None) -> int | None:
        """None: no rate applies (outside every year step)."""
        if self.rate.by_year_since_approval:
            steps = {s.year: s.rate_bp for s in self.rate.by_year_since_approval}
            if year_since_approval is None or year_since_approval not in steps:
                return None
            return steps[year_since_approval]
        return self.rate.by_level.get(level, self.rate.rate_bp)


class Share(Strict):
    level: SourceLevel
    weight: int = Field(gt=0, description="Relative share, integer (Jinhua central 2 : local 3 = 1 : 1.5)")


class Funding(Strict):
    mode: str = Field(
        "shares",
        pattern="^(shares|ordered)$",
        description="shares: split by weight; ordered: draw from the first source until it runs out",
    )
    shares: list[Share] = Field(default_factory=list)
    order: list[SourceLevel] = Field(default_factory=list, description="For ordered mode, and fallback order")
    central_first_come_first_served: bool = Field(
        False, description="Central money goes to claims in order of acceptance date (先验收先得)"
    )
    local_per_central_num: int = Field(0, ge=0, description="Matching rule numerator (Jinhua 3)")
    local_per_central_den: int = Field(1, ge=1, description="Matching rule denominator (Jinhua 2)")


class PolicyDocument(Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,63}$", description="Stable policy key, e.g. xinxiang")
    name: str
    city: str
    seed: str = Field("", description="The plan it transcribes")
    approved_on: date = Field(description="Programme approval date (批复日): year 1 starts here")
    programme_years: int = Field(2, ge=1, le=10)
    programme_total_fen: int | None = Field(
        None, ge=0, description="Cap on everything the policy pays over the programme (all lines)"
    )
    rounding: str = Field("floor", pattern="^(floor|half_up)$", description="Rounding of rate × base to fen")
    funding: Funding
    lines: list[BenefitLine] = Field(min_length=1)
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> "PolicyDocument":
        codes = [line.code for line in self.lines]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"duplicate line codes: {', '.join(duplicates)}")
        for line in self.lines:
            for level in [*line.rate.by_level, *line.caps.by_level_fen]:
                if level not in LEVELS:
                    raise ValueError(f"line {line.code}: level {level} is not 1–4")
            if line.base.kind is BaseKind.eligible_spending and not line.base.categories:
                raise ValueError(f"line {line.code}: eligible_spending needs categories")
            if line.base.kind is BaseKind.count and not line.base.unit:
                raise ValueError(f"line {line.code}: count needs a unit")
        if self.funding.mode == "shares" and not self.funding.shares:
            raise ValueError("funding.shares is empty")
        if self.funding.mode == "ordered" and not self.funding.order:
            raise ValueError("funding.order is empty")
        return self

    def line(self, code: str) -> BenefitLine | None:
        return next((line for line in self.lines if line.code == code), None)
