"""National platform sync: report outbox and reconciliation runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from szcore.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "national_report",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(160), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("leased_until", UTCDateTime(), nullable=True),
        sa.Column("lease_owner", sa.String(80), nullable=True),
        sa.Column("last_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.JSON(), nullable=True),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.Column("remote_receipt", sa.String(200), nullable=True),
        sa.Column("supersedes_id", sa.String(36), nullable=True),
        sa.Column("superseded_by_id", sa.String(36), nullable=True),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_national_report"),
        sa.UniqueConstraint("idempotency_key", name="uq_national_report_idempotency_key"),
        sa.UniqueConstraint("kind", "period", "revision", name="uq_national_report_kind_period_revision"),
    )
    op.create_index("ix_national_report_due", "national_report", ["status", "next_attempt_at"])
    op.create_index("ix_national_report_kind_period", "national_report", ["kind", "period"])
    op.create_table(
        "reconciliation_run",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("period", sa.String(40), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("differences", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_by", sa.String(120), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_reconciliation_run"),
    )


def downgrade() -> None:
    op.drop_table("reconciliation_run")
    op.drop_table("national_report")
