"""Applications, their transitions and public-notice objections.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from szcore.types import BigIntPK, UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "application",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("programme_id", sa.String(64), nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=False),
        sa.Column("county_code", sa.String(12), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("declarations", sa.JSON(), nullable=False),
        sa.Column("submitted_by", sa.String(200), nullable=False),
        sa.Column("submitted_by_county", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("notice_ends_at", UTCDateTime(), nullable=True),
        sa.Column("admitted_at", UTCDateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("replaced_by", sa.String(36), nullable=True),
        sa.Column("replaces", sa.String(36), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_application"),
    )
    for column in ("uscc", "programme_id", "batch_id", "county_code", "status"):
        op.create_index(f"ix_application_{column}", "application", [column])
    op.create_table(
        "application_action",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("application_id", sa.String(36), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("step", sa.String(64), nullable=True),
        sa.Column("decision", sa.String(20), nullable=True),
        sa.Column("from_status", sa.String(20), nullable=False),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("actor_subject", sa.String(200), nullable=False),
        sa.Column("actor_role", sa.String(50), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_application_action"),
    )
    op.create_index("ix_application_action_application_id", "application_action", ["application_id"])
    op.create_table(
        "objection",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("application_id", sa.String(36), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("raised_by", sa.String(200), nullable=False),
        sa.Column("raised_role", sa.String(50), nullable=False),
        sa.Column("raised_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("resolved_by", sa.String(200), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_objection"),
    )
    op.create_index("ix_objection_application_id", "objection", ["application_id"])


def downgrade() -> None:
    op.drop_table("objection")
    op.drop_table("application_action")
    op.drop_table("application")
