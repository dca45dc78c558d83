from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.funding.db import Base
from szcore.types import UTCDateTime


class EnterpriseCopy(Base):
    """This service's read copy of an enrolled enterprise, fed by enrollment's events."""

    __tablename__ = "enterprise_copy"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    county_code: Mapped[str] = mapped_column(String(12), index=True)
    industry_code: Mapped[str] = mapped_column(String(10))
    size_class: Mapped[str] = mapped_column(String(20))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    copied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Subsidy paid to the enterprise so far, in fen (分), net of recoveries.
    paid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    pilot_industry: Mapped[str] = mapped_column(String(40), default="")
    srdi_status: Mapped[str] = mapped_column(String(20), default="none")
    cloud_adopted: Mapped[bool] = mapped_column(Boolean, default=False)
    dossier_version: Mapped[int] = mapped_column(Integer, default=0)
    admitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    programme_id: Mapped[str] = mapped_column(String(64), default="")
    batch_number: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AcceptanceCopy(Base):
    """A certified acceptance evaluation (评测验收), from assessment's AcceptanceEvaluated."""

    __tablename__ = "acceptance_copy"

    assessment_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    project_id: Mapped[str] = mapped_column(String(64), default="")
    level: Mapped[int] = mapped_column(Integer)
    level_before: Mapped[int] = mapped_column(Integer, default=0)
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ContractCopy(Base):
    """A signed transformation contract, from matching's ContractSigned."""

    __tablename__ = "contract_copy"

    contract_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    provider_id: Mapped[str] = mapped_column(String(64))
    provider_uscc: Mapped[str] = mapped_column(String(18), default="")
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    lines_json: Mapped[str] = mapped_column(Text, default="[]")
    signed_on: Mapped[datetime] = mapped_column(UTCDateTime)
    starts_on: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ends_on: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DesignationCopy(Base):
    """An honour or designation (样板, 链式案例, ...), from enrollment's DesignationAwarded."""

    __tablename__ = "designation_copy"

    designation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[str] = mapped_column(String(64), default="")
    awarded_on: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(40), default="")


class ProviderCopy(Base):
    """A listed provider's USCC, from matching's ProviderListed: invoices' payees are checked against it."""

    __tablename__ = "provider_copy"

    provider_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(200))
