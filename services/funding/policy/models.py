from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.funding.db import Base
from szcore.types import BigIntPK, UTCDateTime


class PolicyVersion(Base):
    """One published version of a policy document; never changed after publishing."""

    __tablename__ = "policy_version"
    __table_args__ = (UniqueConstraint("policy_key", "version", name="uq_policy_version_key_version"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    policy_key: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(40))
    document: Mapped[str] = mapped_column(Text)  # canonical JSON
    document_sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(500), default="")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by: Mapped[str] = mapped_column(String(100))
    lines_count: Mapped[int] = mapped_column(BigInteger, default=0)
