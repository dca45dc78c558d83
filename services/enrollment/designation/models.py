from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Enum, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.enrollment.db import Base
from szcore.types import UTCDateTime, utcnow


class DesignationKind(StrEnum):
    showcase = "showcase"  # 样板
    benchmark = "benchmark"  # 标杆
    smart_factory = "smart_factory"  # 智能工厂
    digital_workshop = "digital_workshop"  # 数字化车间
    chain_leader = "chain_leader"  # 链主
    chain_member = "chain_member"  # 链式转型案例成员
    cluster_member = "cluster_member"  # 集群式转型案例成员
    digital_pilot = "digital_pilot"  # 数字领航
    new_srdi = "new_srdi"  # 新认定专精特新
    new_little_giant = "new_little_giant"  # 新认定小巨人


class Designation(Base):
    """An honour or designation of an enterprise, with its date, evidence and who recognised it."""

    __tablename__ = "designation"
    __table_args__ = (UniqueConstraint("uscc", "kind", "awarded_on", "case_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    kind: Mapped[DesignationKind] = mapped_column(
        Enum(DesignationKind, native_enum=False, length=30), index=True
    )
    case_id: Mapped[str] = mapped_column(String(64), default="")
    awarded_on: Mapped[date] = mapped_column(Date)
    level: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(200))
    evidence: Mapped[str] = mapped_column(String(500))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
