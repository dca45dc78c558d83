from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.common import json_list
from services.matching.db import Base
from szcore.types import UTCDateTime


class Deployment(StrEnum):
    saas = "saas"
    private = "private"
    hybrid = "hybrid"


class PriceModel(StrEnum):
    one_off = "one_off"
    subscription_yearly = "subscription_yearly"
    per_module = "per_module"
    per_user_yearly = "per_user_yearly"


class SolutionStatus(StrEnum):
    submitted = "submitted"
    in_notice = "in_notice"
    listed = "listed"
    rejected = "rejected"
    delisted = "delisted"


class Solution(Base):
    """A 小快轻准 product or solution in the catalogue."""

    __tablename__ = "solution"

    solution_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    scenario_codes: Mapped[list[str]] = json_list()
    industries: Mapped[list[str]] = json_list()
    deployment: Mapped[Deployment] = mapped_column(String(20))
    price_model: Mapped[PriceModel] = mapped_column(String(30))
    list_price_fen: Mapped[int] = mapped_column(BigInteger)
    implementation_days: Mapped[int] = mapped_column(Integer)
    claimed_level_gain: Mapped[int] = mapped_column(Integer, default=0)
    claimed_effect: Mapped[str] = mapped_column(Text, default="")
    cases: Mapped[list[dict[str, Any]]] = json_list()
    status: Mapped[SolutionStatus] = mapped_column(String(20), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    review_score_centi: Mapped[int | None] = mapped_column(Integer, default=None)
    notice_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Completed projects that used it: the product's track record.
    uses: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    excellent_years: Mapped[list[int]] = json_list()
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    listed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SolutionReview(Base):
    """One expert's scoring sheet for a submitted product."""

    __tablename__ = "solution_review"
    __table_args__ = (UniqueConstraint("solution_id", "expert"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    solution_id: Mapped[str] = mapped_column(String(64), index=True)
    expert: Mapped[str] = mapped_column(String(200))
    scores: Mapped[dict[str, int]] = mapped_column(JSON)
    total_centi: Mapped[int] = mapped_column(Integer)
    sheet_version: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SolutionRating(Base):
    """An enterprise's rating of a product it used in an engagement."""

    __tablename__ = "solution_rating"
    __table_args__ = (UniqueConstraint("solution_id", "engagement_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    solution_id: Mapped[str] = mapped_column(String(64), index=True)
    engagement_id: Mapped[str] = mapped_column(String(64))
    uscc: Mapped[str] = mapped_column(String(18))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime)
