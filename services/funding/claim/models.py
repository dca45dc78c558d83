from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.funding.db import Base
from szcore.types import BigIntPK, UTCDateTime


class Claim(Base):
    """An enterprise's claim (奖补申请) on one benefit line of a pinned policy version."""

    __tablename__ = "claim"

    claim_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    county_code: Mapped[str] = mapped_column(String(12), index=True)
    industry_code: Mapped[str] = mapped_column(String(10), default="")
    policy_key: Mapped[str] = mapped_column(String(64))
    policy_version: Mapped[int] = mapped_column(Integer)
    line_code: Mapped[str] = mapped_column(String(64))
    project_id: Mapped[str] = mapped_column(String(64), default="")
    contract_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    assessment_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    level: Mapped[int] = mapped_column(Integer, default=0)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(24), index=True)
    claimed_fen: Mapped[int] = mapped_column(BigInteger)
    quoted_fen: Mapped[int] = mapped_column(BigInteger)
    explanation: Mapped[str] = mapped_column(Text, default="")
    audited_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    audit_result: Mapped[str | None] = mapped_column(String(20), nullable=True)
    audit_note: Mapped[str] = mapped_column(String(500), default="")
    approved_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    recovered_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    review_note: Mapped[str] = mapped_column(String(500), default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    invoices: Mapped[list["ClaimInvoice"]] = relationship(lazy="raise", order_by="ClaimInvoice.id")
    attachments: Mapped[list["ClaimAttachment"]] = relationship(lazy="raise")
    allocations: Mapped[list["ClaimAllocation"]] = relationship(lazy="raise")


class ClaimInvoice(Base):
    __tablename__ = "claim_invoice"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claim.claim_id"), index=True)
    number: Mapped[str] = mapped_column(String(40), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    issued_on: Mapped[date] = mapped_column(Date)
    payee_uscc: Mapped[str] = mapped_column(String(18))
    payee_name: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(40))


class ClaimAttachment(Base):
    __tablename__ = "claim_attachment"

    claim_id: Mapped[str] = mapped_column(ForeignKey("claim.claim_id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)


class ClaimAllocation(Base):
    """How much of an approved claim each source committed."""

    __tablename__ = "claim_allocation"

    claim_id: Mapped[str] = mapped_column(ForeignKey("claim.claim_id"), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    paid_fen: Mapped[int] = mapped_column(BigInteger, default=0)


class Payment(Base):
    """One bank transfer of (part of) a claim's allocation: queued → in_batch → paid | failed."""

    __tablename__ = "payment"

    payment_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claim.claim_id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    source_id: Mapped[str] = mapped_column(String(64), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    batch_id: Mapped[str | None] = mapped_column(String(36), index=True, nullable=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    bank_reference: Mapped[str] = mapped_column(String(64), default="")
    failure_reason: Mapped[str] = mapped_column(String(300), default="")
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DisbursementBatch(Base):
    __tablename__ = "disbursement_batch"

    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))
    payments_count: Mapped[int] = mapped_column(Integer)
    total_fen: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))


class Recovery(Base):
    """Money to be recovered (收回) from an enterprise for one claim and source."""

    __tablename__ = "recovery"

    recovery_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claim.claim_id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    source_id: Mapped[str] = mapped_column(String(64))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    repaid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    reason: Mapped[str] = mapped_column(String(40))
    cause_event_id: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdempotencyRecord(Base):
    """The stored outcome of a money-moving request: the same key answers the same, never acts twice."""

    __tablename__ = "idempotency_record"

    scope: Mapped[str] = mapped_column(String(60), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    actor_subject: Mapped[str] = mapped_column(String(100))
    request_sha256: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
