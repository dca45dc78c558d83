"""The gateway's own tables: the outbox of reports for the national platform and reconciliation runs."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from szcore.db import declarative_base
from szcore.types import UTCDateTime, utcnow

Base = declarative_base()


class ReportKind(StrEnum):
    monthly_progress = "monthly_progress"
    batch_admissions = "batch_admissions"
    acceptance_results = "acceptance_results"
    fund_use = "fund_use"


class ReportStatus(StrEnum):
    pending = "pending"
    sending = "sending"
    delivered = "delivered"
    rejected = "rejected"
    dead = "dead"


class NationalReport(Base):
    """One revision of one report. Rows are never rewritten in content: a fix is a new revision, and the
    rejected revision stays with the national side's error."""

    __tablename__ = "national_report"
    __table_args__ = (
        UniqueConstraint("kind", "period", "revision", name="uq_national_report_kind_period_revision"),
        Index("ix_national_report_due", "status", "next_attempt_at"),
        Index("ix_national_report_kind_period", "kind", "period"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(40))
    revision: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(64))
    record_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(80), nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    remote_receipt: Mapped[str | None] = mapped_column(String(200), nullable=True)
    supersedes_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    superseded_by_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ReconciliationRun(Base):
    __tablename__ = "reconciliation_run"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    period: Mapped[str | None] = mapped_column(String(40), nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # matched, differences, failed
    checked: Mapped[int] = mapped_column(Integer, default=0)
    differences: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_by: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
