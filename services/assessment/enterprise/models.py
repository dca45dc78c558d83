from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.assessment.db import Base
from szcore.types import UTCDateTime


class EnterpriseCopy(Base):
    """This service's read copy of an enrolled enterprise, fed by EnterpriseRegistered."""

    __tablename__ = "enterprise_copy"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    county_code: Mapped[str] = mapped_column(String(12), index=True)
    industry_code: Mapped[str] = mapped_column(String(10))
    size_class: Mapped[str] = mapped_column(String(20))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    copied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Maturity level (1-4) certified by the latest acceptance evaluation; None until one exists.
    current_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Set when a revisit revoked the pilot status (回头看); the certified level no longer counts.
    pilot_revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
