from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.db import Base
from szcore.types import UTCDateTime


class RuleVersion(Base):
    """A published version of a rule document (scoring sheet, quotas, weights, common needs)."""

    __tablename__ = "rule_version"
    __table_args__ = (UniqueConstraint("kind", "scope", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40))
    # "default" or a programme id: matching weights differ per programme.
    scope: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_by: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
