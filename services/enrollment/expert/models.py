from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.enrollment.db import Base
from szcore.types import BigIntPK, UTCDateTime, utcnow


class Expert(Base):
    """A member of the expert pool (专家库); `id` is the subject of the expert's login."""

    __tablename__ = "expert"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    employer: Mapped[str] = mapped_column(String(200))
    employer_uscc: Mapped[str | None] = mapped_column(String(18), default=None)
    fields: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExpertLink(Base):
    """A tie between an expert and an enterprise or provider: grounds for avoidance (回避)."""

    __tablename__ = "expert_link"
    __table_args__ = (UniqueConstraint("expert_id", "party_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    expert_id: Mapped[str] = mapped_column(String(100), index=True)
    party_type: Mapped[str] = mapped_column(String(20))
    party_id: Mapped[str] = mapped_column(String(100), index=True)
    relation: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExpertDraw(Base):
    """A recorded draw: the seed, who was eligible, who was excluded and why, who was selected."""

    __tablename__ = "expert_draw"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(36), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    fields: Mapped[list[str]] = mapped_column(JSON)
    count: Mapped[int] = mapped_column(Integer)
    seed: Mapped[str] = mapped_column(String(64))
    eligible: Mapped[list[str]] = mapped_column(JSON)
    excluded: Mapped[dict[str, Any]] = mapped_column(JSON)
    selected: Mapped[list[str]] = mapped_column(JSON)
    drawn_by: Mapped[str] = mapped_column(String(200))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
