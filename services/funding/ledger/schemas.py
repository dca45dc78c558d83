from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.funding.policy.document import SourceLevel


class SourceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source_id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_-]{1,63}$", description="Stable id, e.g. jinhua-central"
    )
    level: SourceLevel = Field(description="central, provincial, city or county")
    name: str = Field(min_length=1, max_length=200, description="资金来源名称")
    county_code: str | None = Field(None, pattern=r"^\d{6}$", description="For a county source")
    policy_key: str = Field(min_length=2, max_length=64, description="The programme policy it funds")


class Balances(BaseModel):
    allocated_fen: int = Field(description="已下达 allocated so far")
    available_fen: int = Field(description="可用 allocated, not committed")
    committed_fen: int = Field(description="已承诺 approved, not yet paid")
    paid_fen: int = Field(description="已拨付 paid, net of recoveries raised")
    receivable_fen: int = Field(description="待收回 recoveries outstanding")


class SourceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    source_id: str
    level: str
    name: str
    county_code: str | None
    policy_key: str
    created_at: datetime
    balances: Balances | None = None


class SourceList(BaseModel):
    items: list[SourceRead]


class AllocationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fiscal_year: int = Field(ge=2020, le=2100, description="Budget year")
    amount_fen: int = Field(gt=0, le=10**14, description="Amount in fen")
    memo: str = Field("", max_length=300, description="Budget document reference (文号)")


class EntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    entry_type: str
    source_id: str
    fiscal_year: int
    debit_account: str
    credit_account: str
    amount_fen: int
    claim_id: str | None
    payment_id: str | None
    recovery_id: str | None
    uscc: str | None
    line_code: str | None
    memo: str
    occurred_at: datetime
    actor_subject: str
    prev_hash: str
    hash: str


class EntryPage(BaseModel):
    items: list[EntryRead]
    total: int
    next_cursor: str | None = Field(None, description="Opaque cursor of the next page")


class ChainCheckRead(BaseModel):
    ok: bool
    checked: int
    first_broken_seq: int | None
    reason: str | None
    trial_balance_fen: int = Field(description="Sum of every account's balance; always 0 in double entry")


class MatchingRead(BaseModel):
    policy_key: str
    central_fen: int
    local_fen: int
    local_required_fen: int
    local_shortfall_fen: int
