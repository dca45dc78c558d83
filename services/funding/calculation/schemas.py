from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.funding.calculation.engine import Facts, LineQuote, Quote, SimulationResult
from services.funding.policy.document import Recipient


class FactsIn(BaseModel):
    """What is known (or assumed) of one recipient / 测算用企业事实."""

    model_config = ConfigDict(extra="forbid")

    recipient_id: str = Field("draft", max_length=64, description="USCC, provider id, or any label")
    recipient: Recipient = Recipient.enterprise
    admitted: bool = True
    level: int = Field(0, ge=0, le=4, description="Certified level; 0 = unknown (simulations assume one)")
    accepted_on: date | None = None
    attributes: dict[str, str] = Field(default_factory=dict)
    designations: list[str] = Field(default_factory=list, max_length=50)
    spending_fen: dict[str, int] = Field(default_factory=dict, description="Category → fen")
    actual_investment_fen: int = Field(0, ge=0)
    loan_interest_fen: dict[int, int] = Field(default_factory=dict, description="Year → interest paid, fen")
    service_income_fen: int = Field(0, ge=0)
    counts: dict[str, int] = Field(default_factory=dict)

    def to_facts(self) -> Facts:
        return Facts(
            recipient_id=self.recipient_id,
            recipient=self.recipient,
            admitted=self.admitted,
            level=self.level,
            accepted_on=self.accepted_on,
            attributes=self.attributes,
            designations=frozenset(self.designations),
            spending_fen={k: max(v, 0) for k, v in self.spending_fen.items()},
            actual_investment_fen=self.actual_investment_fen,
            loan_interest_fen=self.loan_interest_fen,
            service_income_fen=self.service_income_fen,
            counts=self.counts,
        )


class PolicyRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policy_key: str | None = Field(None, description="A published policy (latest version unless given)")
    version: int | None = Field(None, ge=1)
    document: dict[str, Any] | None = Field(
        None, description="Or an unpublished draft, to try a change first"
    )


class QuoteRequest(PolicyRef):
    facts: FactsIn
    line_used_fen: dict[str, int] = Field(default_factory=dict, description="Already committed per line")
    recipient_used_fen: dict[str, int] = Field(default_factory=dict, description="Already received per line")


class LineQuoteRead(BaseModel):
    code: str
    name: str
    eligible: bool
    amount_fen: int
    base_fen: int
    rate_bp: int
    computed_fen: int
    cap_fen: int | None
    cap_reason: str | None
    by_year: dict[int, int]
    explanation: str = Field(
        description="e.g. eligible 1,200,000.00 × 70% = 840,000.00; capped at 700,000.00 for L3"
    )

    @classmethod
    def of(cls, line: LineQuote) -> "LineQuoteRead":
        return cls(**{**line.__dict__, "by_year": dict(line.by_year)})


class QuoteRead(BaseModel):
    policy_key: str
    policy_version: int | None = Field(description="None for a draft document")
    recipient_id: str
    total_fen: int
    lines: list[LineQuoteRead]

    @classmethod
    def of(cls, quote: Quote, version: int | None) -> "QuoteRead":
        return cls(
            policy_key=quote.policy_key,
            policy_version=version,
            recipient_id=quote.recipient_id,
            total_fen=quote.total_fen,
            lines=[LineQuoteRead.of(line) for line in quote.lines],
        )


class AssumptionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level_distribution: dict[int, int] = Field(
        default_factory=lambda: {2: 1}, description="Level → weight, for enterprises without a level"
    )
    acceptance_dates: dict[date, int] = Field(default_factory=dict, description="Date → weight, when undated")
    programme_counts: dict[str, int] = Field(
        default_factory=dict,
        description="Units for provider/programme lines (diagnoses, training_sessions, ...)",
    )
    central_budget_fen: int | None = Field(
        None, ge=0, description="Central money available (first come first served)"
    )


class SimulationRequest(PolicyRef):
    enterprises: list[FactsIn] = Field(default_factory=list, max_length=20000)
    use_enrolled: bool = Field(False, description="Add every admitted enterprise this service knows")
    assumptions: AssumptionsIn = Field(default_factory=AssumptionsIn)


class SimulationRead(BaseModel):
    policy_key: str
    policy_version: int | None
    enterprises: int
    level_counts: dict[int, int]
    total_fen: int
    by_line: dict[str, int]
    by_source_year: dict[str, dict[int, int]] = Field(description="Source level → year → fen needed")
    central_overflow_fen: int = Field(description="Central share that had to fall to local money")
    capped_count: int
    programme_total_exceeded_fen: int = Field(description="How far the need exceeds the programme total cap")

    @classmethod
    def of(cls, result: SimulationResult, key: str, version: int | None) -> "SimulationRead":
        return cls(policy_key=key, policy_version=version, **result.__dict__)
