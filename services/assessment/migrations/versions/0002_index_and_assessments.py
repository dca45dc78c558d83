"""Index versions (with the bundled MIIT 2024 preset), assessments, copies of engagements and projects.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from services.assessment.index.service import DEFAULT_INDEX, new_version, preset_text
from szcore.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    index_version = op.create_table(
        "index_version",
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("sector", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("loaded_at", UTCDateTime(), nullable=False),
        sa.Column("loaded_by", sa.String(120), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_index_version"),
    )
    preset = new_version(preset_text(DEFAULT_INDEX), "migration")
    op.bulk_insert(
        index_version,
        [
            {
                c: getattr(preset, c)
                for c in (
                    "code",
                    "name",
                    "version",
                    "sector",
                    "status",
                    "document",
                    "sha256",
                    "loaded_at",
                    "loaded_by",
                )
            }
        ],
    )
    op.create_table(
        "assessment",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("county_code", sa.String(12), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("index_code", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.String(36), nullable=True),
        sa.Column("superseded_by_id", sa.String(36), nullable=True),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("assessor_role", sa.String(20), nullable=False),
        sa.Column("assessor_id", sa.String(120), nullable=False),
        sa.Column("engagement_id", sa.String(64), nullable=True),
        sa.Column("project_id", sa.String(64), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("scenario_levels", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("pain_points", sa.JSON(), nullable=False),
        sa.Column("needed_scenarios", sa.JSON(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("base_score_milli", sa.BigInteger(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("second_evaluator_id", sa.String(120), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("signed_off_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_assessment"),
    )
    for column in ("uscc", "county_code", "kind", "status"):
        op.create_index(f"ix_assessment_{column}", "assessment", [column])
    op.create_table(
        "engagement_copy",
        sa.Column("engagement_id", sa.String(64), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("engagement_id", name="pk_engagement_copy"),
    )
    op.create_index("ix_engagement_copy_uscc", "engagement_copy", ["uscc"])
    op.create_index("ix_engagement_copy_provider_id", "engagement_copy", ["provider_id"])
    op.create_table(
        "project_copy",
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("contract_id", sa.String(64), nullable=False),
        sa.Column("spent_fen", sa.BigInteger(), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", name="pk_project_copy"),
    )
    op.create_index("ix_project_copy_uscc", "project_copy", ["uscc"])


def downgrade() -> None:
    op.drop_table("project_copy")
    op.drop_table("engagement_copy")
    op.drop_table("assessment")
    op.drop_table("index_version")
