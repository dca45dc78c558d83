from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Enum, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.enrollment.application.workflow import Status
from services.enrollment.db import Base
from szcore.types import BigIntPK, UTCDateTime, utcnow


class Application(Base):
    """An enterprise's application (申报) to a programme's batch, and where it stands."""

    __tablename__ = "application"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    programme_id: Mapped[str] = mapped_column(String(64), index=True)
    batch_id: Mapped[str] = mapped_column(String(64), index=True)
    county_code: Mapped[str] = mapped_column(String(12), index=True)
    status: Mapped[Status] = mapped_column(Enum(Status, native_enum=False, length=20), index=True)
    step_index: Mapped[int] = mapped_column(Integer, default=0)
    declarations: Mapped[dict[str, Any]] = mapped_column(JSON)
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_by_county: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    notice_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    admitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    replaced_by: Mapped[str | None] = mapped_column(String(36), default=None)
    replaces: Mapped[str | None] = mapped_column(String(36), default=None)


class ApplicationAction(Base):
    """Every transition of an application, in order (the audit log holds the tamper-evident copy)."""

    __tablename__ = "application_action"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(30))
    step: Mapped[str | None] = mapped_column(String(64), default=None)
    decision: Mapped[str | None] = mapped_column(String(20), default=None)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_subject: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(50))
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ObjectionStatus(StrEnum):
    open = "open"
    upheld = "upheld"
    dismissed = "dismissed"


class Objection(Base):
    """An objection raised during the public notice (公示) and how it was resolved."""

    __tablename__ = "objection"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(36), index=True)
    content: Mapped[str] = mapped_column(Text)
    raised_by: Mapped[str] = mapped_column(String(200))
    raised_role: Mapped[str] = mapped_column(String(50))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[ObjectionStatus] = mapped_column(Enum(ObjectionStatus, native_enum=False, length=20))
    resolution: Mapped[str | None] = mapped_column(Text, default=None)
    resolved_by: Mapped[str | None] = mapped_column(String(200), default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
