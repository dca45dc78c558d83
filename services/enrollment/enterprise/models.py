from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, Enum, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.enrollment.db import Base
from szcore.types import BigIntPK, UTCDateTime, utcnow


class SizeClass(StrEnum):
    above_scale = "above_scale"  # 规上
    below_scale = "below_scale"  # 规下


class DossierSource(StrEnum):
    county_push = "county_push"
    enterprise = "enterprise"
    city = "city"


class SrdiStatus(StrEnum):
    none = "none"
    innovative = "innovative"  # 创新型中小企业
    provincial_srdi = "provincial_srdi"  # 省级专精特新
    little_giant = "little_giant"  # 国家级专精特新“小巨人”


class AdmissionStatus(StrEnum):
    """Where the enterprise stands in its programme (mirrors its latest application)."""

    registered = "registered"
    in_review = "in_review"
    returned = "returned"
    approved = "approved"
    public_notice = "public_notice"
    admitted = "admitted"
    rejected = "rejected"
    withdrawn = "withdrawn"
    disqualified = "disqualified"


class Enterprise(Base):
    """The enterprise dossier (一企一档), keyed by USCC."""

    __tablename__ = "enterprise"
    # The filtered list (migration 0009): industry_code is matched by prefix, hence the pattern opclass.
    __table_args__ = (
        Index(
            "ix_enterprise_county_industry_status",
            "county_code",
            "industry_code",
            "admission_status",
            postgresql_ops={"industry_code": "varchar_pattern_ops"},
        ),
        # The KPI report's programme joins (migration 0011).
        Index("ix_enterprise_programme_uscc", "programme_id", "uscc", postgresql_include=["county_code"]),
    )

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    county_code: Mapped[str] = mapped_column(String(12), index=True)
    industry_code: Mapped[str] = mapped_column(String(10), index=True)
    size_class: Mapped[SizeClass] = mapped_column(Enum(SizeClass, native_enum=False, length=20))
    source: Mapped[DossierSource] = mapped_column(Enum(DossierSource, native_enum=False, length=20))
    registered_by: Mapped[str] = mapped_column(String(200))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    programme_id: Mapped[str | None] = mapped_column(String(64), default=None)
    pilot_industry: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    srdi_status: Mapped[SrdiStatus] = mapped_column(
        Enum(SrdiStatus, native_enum=False, length=20), default=SrdiStatus.none, index=True
    )
    srdi_recognised_on: Mapped[date | None] = mapped_column(Date, default=None)
    srdi_expires_on: Mapped[date | None] = mapped_column(Date, default=None)
    annual_output_fen: Mapped[int | None] = mapped_column(BigInteger, default=None)
    employees: Mapped[int | None] = mapped_column(Integer, default=None)
    output_tier: Mapped[str | None] = mapped_column(String(20), default=None)
    contact_name: Mapped[str | None] = mapped_column(String(100), default=None)
    contact_phone: Mapped[str | None] = mapped_column(String(40), default=None)
    contact_email: Mapped[str | None] = mapped_column(String(200), default=None)
    officer_name: Mapped[str | None] = mapped_column(String(100), default=None)
    officer_phone: Mapped[str | None] = mapped_column(String(40), default=None)
    officer_email: Mapped[str | None] = mapped_column(String(200), default=None)
    cloud_adopted: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    admission_status: Mapped[AdmissionStatus] = mapped_column(
        Enum(AdmissionStatus, native_enum=False, length=20), default=AdmissionStatus.registered, index=True
    )
    batch_id: Mapped[str | None] = mapped_column(String(64), default=None, index=True)


class EnterpriseVersion(Base):
    """One change of a dossier: who, when, from which source, and each field's old and new value."""

    __tablename__ = "enterprise_version"
    # The unique constraint's index serves the lookups by uscc too: no index of its own (migration 0012).
    __table_args__ = (UniqueConstraint("uscc", "version"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18))
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[DossierSource] = mapped_column(Enum(DossierSource, native_enum=False, length=20))
    changed_by: Mapped[str] = mapped_column(String(200))
    changed_role: Mapped[str] = mapped_column(String(50))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
