from datetime import datetime
from enum import StrEnum

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.db import Base
from szcore.types import UTCDateTime


class NeedSource(StrEnum):
    city_list = "city_list"  # adopted from the industry's common list (N)
    enterprise = "enterprise"  # stated by the enterprise or its county (X)
    gap_analysis = "gap_analysis"  # from the assessment service's gap analysis (X)


class NeedStatus(StrEnum):
    open = "open"
    closed = "closed"


class Need(Base):
    """One need of one enterprise, tied to a MIIT scenario."""

    __tablename__ = "need"

    need_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    source: Mapped[NeedSource] = mapped_column(String(20))
    scenario_code: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    common_code: Mapped[str | None] = mapped_column(String(40), default=None)
    from_level: Mapped[int | None] = mapped_column(Integer, default=None)
    to_level: Mapped[int | None] = mapped_column(Integer, default=None)
    assessment_id: Mapped[str | None] = mapped_column(String(64), default=None)
    status: Mapped[NeedStatus] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
