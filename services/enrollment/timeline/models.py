from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from services.enrollment.db import Base
from szcore.types import BigIntPK, UTCDateTime


class TimelineEntry(Base):
    """What another service reported about an enterprise, kept for its dossier's timeline."""

    __tablename__ = "timeline_entry"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    producer: Mapped[str] = mapped_column(String(30))
    event_type: Mapped[str] = mapped_column(String(60))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    summary: Mapped[str] = mapped_column(String(300))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class ProviderEngagement(Base):
    """Open engagements of a provider by an enterprise (matching's EngagementCreated): while one is open the
    provider may read the dossier. One row per engagement, because a diagnosis and a transformation of the
    same provider end separately ('' for rows from before engagement ids were kept)."""

    __tablename__ = "provider_engagement"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    engagement_id: Mapped[str] = mapped_column(String(64), primary_key=True, default="")
