from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.enrollment.db import Base
from szcore.types import UTCDateTime, utcnow


class BulkPush(Base):
    """A applied push, kept so that re-sending the same request id replays its answer and changes nothing."""

    __tablename__ = "bulk_push"
    __table_args__ = (UniqueConstraint("scope", "request_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    scope: Mapped[str] = mapped_column(String(20), doc="county code of the pusher, or 'city'")
    request_id: Mapped[str] = mapped_column(String(100))
    content_hash: Mapped[str] = mapped_column(String(64))
    pushed_by: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    total: Mapped[int] = mapped_column(Integer)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
