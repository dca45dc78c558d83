"""Provider pool, solution catalogue, needs, rule versions, engagements, projects and activities.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from szcore.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = [
    "activity",
    "activity_registration",
    "engagement",
    "milestone",
    "need",
    "provider",
    "provider_rating",
    "provider_review",
    "rule_version",
    "solution",
    "solution_rating",
    "solution_review",
    "transformation_plan",
    "transformation_project",
]


def upgrade() -> None:
    op.create_table(
        "engagement",
        sa.Column("engagement_id", sa.String(64), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("county_code", sa.String(12), nullable=False),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("solution_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("engagement_id", name="pk_engagement"),
    )
    op.create_index("ix_engagement_county_code", "engagement", ["county_code"])
    op.create_index("ix_engagement_provider_id", "engagement", ["provider_id"])
    op.create_index("ix_engagement_status", "engagement", ["status"])
    op.create_index("ix_engagement_uscc", "engagement", ["uscc"])
    op.create_table(
        "milestone",
        sa.Column("milestone_id", sa.String(64), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("progress_percent", sa.Integer(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("reported_at", UTCDateTime(), nullable=False),
        sa.Column("confirmed_at", UTCDateTime(), nullable=True),
        sa.Column("confirmed_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("milestone_id", name="pk_milestone"),
    )
    op.create_index("ix_milestone_project_id", "milestone", ["project_id"])
    op.create_table(
        "need",
        sa.Column("need_id", sa.String(64), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("scenario_code", sa.String(8), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("common_code", sa.String(40), nullable=True),
        sa.Column("from_level", sa.Integer(), nullable=True),
        sa.Column("to_level", sa.Integer(), nullable=True),
        sa.Column("assessment_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("need_id", name="pk_need"),
    )
    op.create_index("ix_need_uscc", "need", ["uscc"])
    op.create_table(
        "provider",
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("industries", sa.JSON(), nullable=False),
        sa.Column("counties", sa.JSON(), nullable=False),
        sa.Column("staff_on_site", sa.Integer(), nullable=False),
        sa.Column("cases", sa.JSON(), nullable=False),
        sa.Column("certifications", sa.JSON(), nullable=False),
        sa.Column("related_usccs", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("review_score_centi", sa.Integer(), nullable=True),
        sa.Column("notice_until", UTCDateTime(), nullable=True),
        sa.Column("confidentiality_signed_at", UTCDateTime(), nullable=True),
        sa.Column("rating_centi", sa.Integer(), nullable=True),
        sa.Column("open_projects", sa.Integer(), nullable=False),
        sa.Column("applied_at", UTCDateTime(), nullable=False),
        sa.Column("listed_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("provider_id", name="pk_provider"),
    )
    op.create_index("ix_provider_status", "provider", ["status"])
    op.create_index("ix_provider_uscc", "provider", ["uscc"])
    op.create_table(
        "provider_rating",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("overall_centi", sa.Integer(), nullable=False),
        sa.Column("sheet_version", sa.Integer(), nullable=False),
        sa.Column("rated_by", sa.String(200), nullable=False),
        sa.Column("rated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("provider_id", "period", name="uq_provider_rating_provider_id"),
        sa.PrimaryKeyConstraint("id", name="pk_provider_rating"),
    )
    op.create_index("ix_provider_rating_provider_id", "provider_rating", ["provider_id"])
    op.create_table(
        "provider_review",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("expert", sa.String(200), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("total_centi", sa.Integer(), nullable=False),
        sa.Column("sheet_version", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("reviewed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_provider_review"),
        sa.UniqueConstraint("provider_id", "expert", name="uq_provider_review_provider_id"),
    )
    op.create_index("ix_provider_review_provider_id", "provider_review", ["provider_id"])
    op.create_table(
        "rule_version",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("published_by", sa.String(200), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("kind", "scope", "version", name="uq_rule_version_kind"),
        sa.PrimaryKeyConstraint("id", name="pk_rule_version"),
    )
    op.create_table(
        "solution",
        sa.Column("solution_id", sa.String(64), nullable=False),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("scenario_codes", sa.JSON(), nullable=False),
        sa.Column("industries", sa.JSON(), nullable=False),
        sa.Column("deployment", sa.String(20), nullable=False),
        sa.Column("price_model", sa.String(30), nullable=False),
        sa.Column("list_price_fen", sa.BigInteger(), nullable=False),
        sa.Column("implementation_days", sa.Integer(), nullable=False),
        sa.Column("claimed_level_gain", sa.Integer(), nullable=False),
        sa.Column("claimed_effect", sa.Text(), nullable=False),
        sa.Column("cases", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("review_score_centi", sa.Integer(), nullable=True),
        sa.Column("notice_until", UTCDateTime(), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("rating_sum", sa.Integer(), nullable=False),
        sa.Column("rating_count", sa.Integer(), nullable=False),
        sa.Column("excellent_years", sa.JSON(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("listed_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("solution_id", name="pk_solution"),
    )
    op.create_index("ix_solution_provider_id", "solution", ["provider_id"])
    op.create_index("ix_solution_status", "solution", ["status"])
    op.create_table(
        "solution_rating",
        "solution_review",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("solution_id", sa.String(64), nullable=False),
        sa.Column("engagement_id", sa.String(64), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("rated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_solution_rating"),
        sa.UniqueConstraint("solution_id", "engagement_id", name="uq_solution_rating_solution_id"),
    )
    op.create_index("ix_solution_rating_solution_id", "solution_rating", ["solution_id"])
    op.create_table(
        "transformation_plan",
        sa.Column("plan_id", sa.String(64), nullable=False),
        sa.Column("engagement_id", sa.String(64), nullable=False),
        sa.Column("goals", sa.Text(), nullable=False),
        sa.Column("scenario_codes", sa.JSON(), nullable=False),
        sa.Column("target_level", sa.Integer(), nullable=False),
        sa.Column("budget", sa.JSON(), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("approved_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("engagement_id", name="uq_transformation_plan_engagement_id"),
        sa.PrimaryKeyConstraint("plan_id", name="pk_transformation_plan"),
    )
    op.create_table(
        "transformation_project",
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("engagement_id", sa.String(64), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("contract_id", sa.String(64), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("signed_on", UTCDateTime(), nullable=False),
        sa.Column("starts_on", UTCDateTime(), nullable=False),
        sa.Column("ends_on", UTCDateTime(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("progress_percent", sa.Integer(), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("accepted_level", sa.Integer(), nullable=True),
        sa.Column("accepted_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("engagement_id", name="uq_transformation_project_engagement_id"),
        sa.UniqueConstraint("contract_id", name="uq_transformation_project_contract_id"),
        sa.PrimaryKeyConstraint("project_id", name="pk_transformation_project"),
    )
    op.create_index("ix_transformation_project_provider_id", "transformation_project", ["provider_id"])
    op.create_index("ix_transformation_project_status", "transformation_project", ["status"])
    op.create_index("ix_transformation_project_uscc", "transformation_project", ["uscc"])

    op.create_table(
        "activity",
        sa.Column("activity_id", sa.String(64), nullable=False),
        sa.Column("programme", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("county_code", sa.String(12), nullable=True),
        sa.Column("industry_code", sa.String(10), nullable=True),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("location", sa.String(300), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("contacts_made", sa.Integer(), nullable=False),
        sa.Column("outcome_notes", sa.Text(), nullable=False),
        sa.Column("organised_by", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("activity_id", name="pk_activity"),
    )
    op.create_index("ix_activity_county_code", "activity", ["county_code"])
    op.create_index("ix_activity_programme", "activity", ["programme"])
    op.create_table(
        "activity_registration",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("activity_id", sa.String(64), nullable=False),
        sa.Column("participant_key", sa.String(260), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=True),
        sa.Column("provider_id", sa.String(64), nullable=True),
        sa.Column("person_name", sa.String(100), nullable=True),
        sa.Column("trainee_role", sa.String(60), nullable=True),
        sa.Column("attended", sa.Boolean(), nullable=False),
        sa.Column("registered_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("activity_id", "participant_key", name="uq_activity_registration_activity_id"),
        sa.PrimaryKeyConstraint("id", name="pk_activity_registration"),
    )
    op.create_index("ix_activity_registration_activity_id", "activity_registration", ["activity_id"])

    op.create_table(
        "solution_review",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("solution_id", sa.String(64), nullable=False),
        sa.Column("expert", sa.String(200), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("total_centi", sa.Integer(), nullable=False),
        sa.Column("sheet_version", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("reviewed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_solution_review"),
        sa.UniqueConstraint("solution_id", "expert", name="uq_solution_review_solution_id"),
    )
    op.create_index("ix_solution_review_solution_id", "solution_review", ["solution_id"])


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
