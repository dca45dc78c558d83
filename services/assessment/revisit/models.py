from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.assessment.db import Base
from szcore.types import UTCDateTime


class AdmissionCopy(Base):
    """Which batch (第N批) an enterprise was admitted into (EnterpriseAdmitted), for per-batch draws."""

    __tablename__ = "admission_copy"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    programme_id: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[str] = mapped_column(String(64), index=True)
    batch_number: Mapped[int] = mapped_column(Integer)
    admitted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RevisitDraw(Base):
    """A seeded random draw of accepted enterprises for revisits (回头看); re-drawing with the recorded
    seed and population gives the same sample."""

    __tablename__ = "revisit_draw"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    seed: Mapped[str] = mapped_column(String(64))
    sample_size: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    county_code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    population: Mapped[list[Any]] = mapped_column(JSON)
    drawn: Mapped[list[Any]] = mapped_column(JSON)
    drawn_by: Mapped[str] = mapped_column(String(120))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Revisit(Base):
    __tablename__ = "revisit"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    draw_id: Mapped[str] = mapped_column(String(36), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    county_code: Mapped[str] = mapped_column(String(12), index=True)
    status: Mapped[str] = mapped_column(String(16))  # pending, recorded
    finding: Mapped[str | None] = mapped_column(String(32), nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
