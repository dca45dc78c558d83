from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.common import json_list
from services.matching.db import Base
from szcore.types import UTCDateTime


class EngagementKind(StrEnum):
    diagnosis = "diagnosis"
    transformation = "transformation"


class EngagementStatus(StrEnum):
    open = "open"
    completed = "completed"
    cancelled = "cancelled"


class PlanStatus(StrEnum):
    submitted = "submitted"
    approved = "approved"
    returned = "returned"


class ProjectStatus(StrEnum):
    active = "active"
    completed = "completed"
    cancelled = "cancelled"


class SpendingCategory(StrEnum):
    software = "software"
    cloud_service = "cloud_service"
    data_collection_hardware = "data_collection_hardware"
    implementation_service = "implementation_service"
    other = "other"


class Engagement(Base):
    """An enterprise engaged a provider, for a diagnosis or a transformation."""

    __tablename__ = "engagement"

    engagement_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    county_code: Mapped[str] = mapped_column(String(12), index=True)
    provider_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[EngagementKind] = mapped_column(String(20))
    solution_ids: Mapped[list[str]] = json_list()
    status: Mapped[EngagementStatus] = mapped_column(String(20), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Plan(Base):
    """The transformation plan (改造方案) of an engagement."""

    __tablename__ = "transformation_plan"

    plan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    engagement_id: Mapped[str] = mapped_column(String(64), unique=True)
    goals: Mapped[str] = mapped_column(Text)
    scenario_codes: Mapped[list[str]] = json_list()
    target_level: Mapped[int] = mapped_column(Integer)
    budget: Mapped[list[dict[str, Any]]] = json_list()
    total_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[PlanStatus] = mapped_column(String(20))
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Project(Base):
    """A transformation project (改造项目), born when its contract is signed."""

    __tablename__ = "transformation_project"

    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    engagement_id: Mapped[str] = mapped_column(String(64), unique=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    provider_id: Mapped[str] = mapped_column(String(64), index=True)
    contract_id: Mapped[str] = mapped_column(String(64), unique=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[list[dict[str, Any]]] = json_list()
    signed_on: Mapped[datetime] = mapped_column(UTCDateTime)
    starts_on: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_on: Mapped[datetime] = mapped_column(UTCDateTime)
    attachments: Mapped[list[dict[str, Any]]] = json_list()
    status: Mapped[ProjectStatus] = mapped_column(String(20), index=True)
    progress_percent: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # From assessment's AcceptanceEvaluated: the certified level after the work.
    accepted_level: Mapped[int | None] = mapped_column(Integer, default=None)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Milestone(Base):
    """A progress report by the provider, confirmed by the enterprise."""

    __tablename__ = "milestone"

    milestone_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(200))
    progress_percent: Mapped[int] = mapped_column(Integer)
    report: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    confirmed_by: Mapped[str | None] = mapped_column(String(200), default=None)
