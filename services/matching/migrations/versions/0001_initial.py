"""Read copy of enterprises and the infrastructure tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from szcore.migrations import create_infra_tables, drop_infra_tables
from szcore.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_infra_tables()
    op.create_table(
        "enterprise_copy",
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("county_code", sa.String(12), nullable=False),
        sa.Column("industry_code", sa.String(10), nullable=False),
        sa.Column("size_class", sa.String(20), nullable=False),
        sa.Column("registered_at", UTCDateTime(), nullable=False),
        sa.Column("copied_at", UTCDateTime(), nullable=False),
        sa.Column("open_engagements", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("uscc", name="pk_enterprise_copy"),
    )
    op.create_index("ix_enterprise_copy_county_code", "enterprise_copy", ["county_code"])


def downgrade() -> None:
    op.drop_table("enterprise_copy")
    drop_infra_tables()
