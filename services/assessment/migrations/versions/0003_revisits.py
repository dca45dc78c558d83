"""Revisits (回头看): admissions copy, seeded draws, findings, revoked pilot status.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from szcore.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enterprise_copy") as batch:
        batch.add_column(sa.Column("pilot_revoked_at", UTCDateTime(), nullable=True))
    op.create_table(
        "admission_copy",
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("programme_id", sa.String(64), nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=False),
        sa.Column("batch_number", sa.Integer(), nullable=False),
        sa.Column("admitted_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("uscc", name="pk_admission_copy"),
    )
    op.create_index("ix_admission_copy_batch_id", "admission_copy", ["batch_id"])
    op.create_table(
        "revisit_draw",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("seed", sa.String(64), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=True),
        sa.Column("county_code", sa.String(12), nullable=True),
        sa.Column("population", sa.JSON(), nullable=False),
        sa.Column("drawn", sa.JSON(), nullable=False),
        sa.Column("drawn_by", sa.String(120), nullable=False),
        sa.Column("drawn_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_revisit_draw"),
    )
    op.create_table(
        "revisit",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("draw_id", sa.String(36), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("county_code", sa.String(12), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("finding", sa.String(32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(120), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_revisit"),
    )
    for column in ("draw_id", "uscc", "county_code"):
        op.create_index(f"ix_revisit_{column}", "revisit", [column])


def downgrade() -> None:
    op.drop_table("revisit")
    op.drop_table("revisit_draw")
    op.drop_table("admission_copy")
    with op.batch_alter_table("enterprise_copy") as batch:
        batch.drop_column("pilot_revoked_at")
