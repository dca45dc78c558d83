from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from services.enrollment.db import Base
from szcore.types import UTCDateTime, utcnow


class SizeClass(StrEnum):
    above_scale = "above_scale"  # 规上
    below_scale = "below_scale"  # 规下


class DossierSource(StrEnum):
    county_push = "county_push"
    enterprise = "enterprise"
    city = "city"


class Enterprise(Base):
    """The enterprise dossier (一企一档), keyed by USCC."""

    __tablename__ = "enterprise"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    county_code: Mapped[str] = mapped_column(String(12), index=True)
    industry_code: Mapped[str] = mapped_column(String(10), index=True)
    size_class: Mapped[SizeClass] = mapped_column(Enum(SizeClass, native_enum=False, length=20))
    source: Mapped[DossierSource] = mapped_column(Enum(DossierSource, native_enum=False, length=20))
    registered_by: Mapped[str] = mapped_column(String(200))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
