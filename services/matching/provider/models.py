from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.common import json_list
from services.matching.db import Base
from szcore.types import UTCDateTime


class ProviderKind(StrEnum):
    integrated = "integrated"
    specialist = "specialist"
    general_contractor = "general_contractor"


class ProviderStatus(StrEnum):
    applied = "applied"
    in_notice = "in_notice"
    listed = "listed"
    warned = "warned"
    suspended = "suspended"
    removed = "removed"
    rejected = "rejected"


# On the roster (名录): counted against quotas.
ROSTERED = (ProviderStatus.listed, ProviderStatus.warned, ProviderStatus.suspended)
# May take new work and be matched.
ACTIVE = (ProviderStatus.listed, ProviderStatus.warned)


class Provider(Base):
    __tablename__ = "provider"

    provider_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ProviderKind] = mapped_column(String(30))
    industries: Mapped[list[str]] = json_list()
    counties: Mapped[list[str]] = json_list()
    staff_on_site: Mapped[int] = mapped_column(Integer, default=0)
    cases: Mapped[list[dict[str, Any]]] = json_list()
    certifications: Mapped[list[str]] = json_list()
    # Companies linked by ownership or the same legal person: never matched with this provider.
    related_usccs: Mapped[list[str]] = json_list()
    status: Mapped[ProviderStatus] = mapped_column(String(20), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    review_score_centi: Mapped[int | None] = mapped_column(Integer, default=None)
    notice_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    confidentiality_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    rating_centi: Mapped[int | None] = mapped_column(Integer, default=None)
    open_projects: Mapped[int] = mapped_column(Integer, default=0)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    listed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProviderReview(Base):
    """One expert's scoring sheet for a provider's application."""

    __tablename__ = "provider_review"
    __table_args__ = (UniqueConstraint("provider_id", "expert"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    provider_id: Mapped[str] = mapped_column(String(64), index=True)
    expert: Mapped[str] = mapped_column(String(200))
    scores: Mapped[dict[str, int]] = mapped_column(JSON)
    total_centi: Mapped[int] = mapped_column(Integer)
    sheet_version: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProviderRating(Base):
    """A periodic rating (动态考评) of a rostered provider."""

    __tablename__ = "provider_rating"
    __table_args__ = (UniqueConstraint("provider_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    provider_id: Mapped[str] = mapped_column(String(64), index=True)
    period: Mapped[str] = mapped_column(String(10))
    scores: Mapped[dict[str, int]] = mapped_column(JSON)
    overall_centi: Mapped[int] = mapped_column(Integer)
    sheet_version: Mapped[int] = mapped_column(Integer)
    rated_by: Mapped[str] = mapped_column(String(200))
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime)
