from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.db import Base
from szcore.types import UTCDateTime


class ActivityKind(StrEnum):
    matchmaking = "matchmaking"  # 供需对接会
    training = "training"  # 培训
    site_visit = "site_visit"  # 观摩


class ActivityStatus(StrEnum):
    planned = "planned"
    held = "held"
    cancelled = "cancelled"


class Activity(Base):
    """A programme event: matchmaking meeting, training or site visit."""

    __tablename__ = "activity"

    activity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    programme: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[ActivityKind] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    # None: city-wide; otherwise the organising county.
    county_code: Mapped[str | None] = mapped_column(String(12), default=None, index=True)
    industry_code: Mapped[str | None] = mapped_column(String(10), default=None)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(300), default="")
    capacity: Mapped[int] = mapped_column(Integer)
    status: Mapped[ActivityStatus] = mapped_column(String(20))
    contacts_made: Mapped[int] = mapped_column(Integer, default=0)
    outcome_notes: Mapped[str] = mapped_column(Text, default="")
    organised_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Registration(Base):
    """A sign-up for an activity: an enterprise, a provider, or a named person with a role (trainings)."""

    __tablename__ = "activity_registration"
    __table_args__ = (UniqueConstraint("activity_id", "participant_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    activity_id: Mapped[str] = mapped_column(String(64), index=True)
    # uscc:<USCC>, provider:<id> or person:<name>: one sign-up per participant.
    participant_key: Mapped[str] = mapped_column(String(260))
    uscc: Mapped[str | None] = mapped_column(String(18), default=None)
    provider_id: Mapped[str | None] = mapped_column(String(64), default=None)
    person_name: Mapped[str | None] = mapped_column(String(100), default=None)
    trainee_role: Mapped[str | None] = mapped_column(String(60), default=None)
    attended: Mapped[bool] = mapped_column(Boolean, default=False)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
