from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from services.assessment.db import Base
from szcore.types import UTCDateTime


class Assessment(Base):
    """A self-assessment, diagnosis or acceptance evaluation. Content is frozen once submitted;
    a correction is a new row whose `supersedes_id` points at the one it corrects."""

    __tablename__ = "assessment"
    # The KPI report's "latest per enterprise" (migration 0005); the WHERE must stay the query's.
    __table_args__ = tuple(
        Index(
            f"ix_assessment_latest_{kind}",
            "uscc",
            text(f"{at} DESC"),
            postgresql_include=["level"],
            postgresql_where=text(where),
            sqlite_where=text(where),
        )
        for kind, at, where in (
            (
                "acceptance",
                "signed_off_at",
                "kind = 'acceptance' AND status = 'signed_off' AND superseded_by_id IS NULL",
            ),
            (
                "diagnosis",
                "submitted_at",
                "kind = 'diagnosis' AND status IN ('submitted', 'signed_off') AND superseded_by_id IS NULL",
            ),
        )
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    county_code: Mapped[str] = mapped_column(String(12), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # self, diagnosis, acceptance
    status: Mapped[str] = mapped_column(String(16), index=True)  # draft, submitted, signed_off
    index_code: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    superseded_by_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_by: Mapped[str] = mapped_column(String(120))
    assessor_role: Mapped[str] = mapped_column(String(20))
    # provider_id for a diagnosis, the evaluator organisation (or subject) for an acceptance, uscc for self.
    assessor_id: Mapped[str] = mapped_column(String(120))
    engagement_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    project_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    scenario_levels: Mapped[dict[str, Any]] = mapped_column(JSON)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    pain_points: Mapped[list[Any]] = mapped_column(JSON)
    needed_scenarios: Mapped[list[Any]] = mapped_column(JSON)
    report: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    base_score_milli: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    second_evaluator_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class EngagementCopy(Base):
    """Matching's engagements (EngagementCreated): which provider an enterprise engaged, for what."""

    __tablename__ = "engagement_copy"

    engagement_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    provider_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ProjectCopy(Base):
    """Completed transformation projects (ProjectCompleted): each awaits an acceptance evaluation."""

    __tablename__ = "project_copy"

    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    provider_id: Mapped[str] = mapped_column(String(64))
    contract_id: Mapped[str] = mapped_column(String(64))
    spent_fen: Mapped[int] = mapped_column(BigInteger)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)
