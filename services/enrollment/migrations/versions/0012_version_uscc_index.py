"""Drops enterprise_version's index on uscc: the unique constraint on (uscc, version) is an index that
answers every lookup by uscc as well, and each version row written (a bulk push writes one per record)
paid for both.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_enterprise_version_uscc", table_name="enterprise_version")


def downgrade() -> None:
    op.create_index("ix_enterprise_version_uscc", "enterprise_version", ["uscc"])
