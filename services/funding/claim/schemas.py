from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Category(StrEnum):
    software = "software"
    cloud_service = "cloud_service"
    data_collection_hardware = "data_collection_hardware"
    implementation_service = "implementation_service"
    other = "other"


class InvoiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: str = Field(min_length=4, max_length=40, description="发票号码")
    amount_fen: int = Field(gt=0, le=10**12, description="Invoice amount in fen")
    issued_on: date = Field(description="开票日期")
    payee_uscc: str = Field(min_length=18, max_length=18, description="Seller's USCC (收款方)")
    payee_name: str = Field("", max_length=200)
    category: Category


class AttachmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the stored file")
    filename: str = Field(min_length=1, max_length=200)
    size_bytes: int = Field(0, ge=0)


class ClaimCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uscc: str = Field(min_length=18, max_length=18)
    policy_key: str = Field(min_length=2, max_length=64)
    policy_version: int | None = Field(None, ge=1, description="Default: the latest published version")
    line_code: str = Field("transformation_subsidy", max_length=64, description="The benefit line claimed")
    project_id: str = Field("", max_length=64)
    contract_id: str | None = Field(None, max_length=64, description="The transformation contract (matching)")
    assessment_id: str | None = Field(None, max_length=64, description="Default: the latest acceptance")
    claimed_fen: int = Field(gt=0, le=10**12, description="Amount claimed, in fen")
    invoices: list[InvoiceIn] = Field(default_factory=list, max_length=500)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=100)
    loan_interest_fen: dict[int, int] = Field(
        default_factory=dict, description="For interest lines: year → fen"
    )


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step: str = Field(pattern="^(county|city)$", description="county (初审) or city (复审)")
    decision: str = Field(pattern="^(approve|reject)$")
    note: str = Field("", max_length=500)


class AuditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    result: str = Field(pattern="^(passed|failed)$", description="专项审计结论")
    audited_fen: int | None = Field(None, ge=0, le=10**12, description="Eligible amount the audit confirms")
    note: str = Field("", max_length=500)


class ClawbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(pattern="^(fraud|pilot_status_revoked|other)$")
    note: str = Field("", max_length=500)


class InvoiceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: str
    amount_fen: int
    issued_on: date
    payee_uscc: str
    payee_name: str
    category: str


class AttachmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sha256: str
    filename: str
    size_bytes: int


class AllocationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    source_id: str
    level: str
    amount_fen: int
    paid_fen: int


class PaymentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    payment_id: str
    claim_id: str
    uscc: str
    source_id: str
    amount_fen: int
    batch_id: str | None
    status: str
    bank_reference: str
    failure_reason: str
    queued_at: datetime
    settled_at: datetime | None


class ClaimRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    claim_id: str
    uscc: str
    county_code: str
    industry_code: str
    policy_key: str
    policy_version: int
    line_code: str
    project_id: str
    contract_id: str | None
    assessment_id: str | None
    level: int
    accepted_at: datetime | None
    status: str
    claimed_fen: int
    quoted_fen: int = Field(description="What the policy entitles at submission")
    explanation: str
    audited_fen: int | None
    audit_result: str | None
    audit_note: str
    approved_fen: int
    paid_fen: int
    recovered_fen: int
    review_note: str
    submitted_at: datetime
    updated_at: datetime


class ClaimDetail(ClaimRead):
    invoices: list[InvoiceRead]
    attachments: list[AttachmentRead]
    allocations: list[AllocationRead]
    payments: list[PaymentRead]


class ClaimsOfEnterprises(BaseModel):
    """Claims of several enterprises at once (batch read for the gateway's DataLoaders)."""

    items: list[ClaimRead]


class ClaimPage(BaseModel):
    items: list[ClaimRead]
    total: int
    next_cursor: str | None


class BatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source_id: str = Field(min_length=2, max_length=64)
    max_payments: int = Field(500, ge=1, le=5000)


class BatchRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    batch_id: str
    source_id: str
    status: str
    payments_count: int
    total_fen: int
    created_at: datetime
    created_by: str


class BatchDetail(BatchRead):
    payments: list[PaymentRead]


class BatchList(BaseModel):
    items: list[BatchRead]
    total: int | None = Field(default=None, description="Batches matching the filters (paged reads only)")
    next_cursor: str | None = Field(default=None, description="Cursor of the next page (paged reads only)")


class ReconciliationLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payment_id: str = Field(min_length=1, max_length=36)
    status: str = Field(pattern="^(paid|failed)$")
    bank_reference: str = Field("", max_length=64)
    reason: str = Field("", max_length=300)


class ReconciliationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: list[ReconciliationLine] = Field(default_factory=list, max_length=5000)
    csv: str | None = Field(
        None, max_length=2_000_000, description="Or the bank's CSV: payment_id,status,..."
    )


class ReconciliationResult(BaseModel):
    batch: BatchRead
    paid: int
    failed: int
    requeued_payment_ids: list[str]


class RecoveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    recovery_id: str
    claim_id: str
    uscc: str
    source_id: str
    amount_fen: int
    repaid_fen: int
    reason: str
    status: str
    raised_at: datetime


class RecoveryList(BaseModel):
    items: list[RecoveryRead]
    total: int | None = Field(default=None, description="Recoveries matching the filters (paged reads only)")
    next_cursor: str | None = Field(default=None, description="Cursor of the next page (paged reads only)")


class RepaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_fen: int = Field(gt=0, le=10**12)


class ClawbackResult(BaseModel):
    claim: ClaimRead
    released_fen: int
    recoveries: list[RecoveryRead]


class PaymentsOfEnterprises(BaseModel):
    """Payments of several enterprises at once (batch read for the gateway's DataLoaders)."""

    items: list[PaymentRead]


class PaymentList(BaseModel):
    items: list[PaymentRead]
    total: int | None = Field(default=None, description="Payments matching the filters (paged reads only)")
    next_cursor: str | None = Field(default=None, description="Cursor of the next page (paged reads only)")
