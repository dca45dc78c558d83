"""Providers engaged by an enterprise (read access to its dossier).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "provider_engagement",
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("provider_id", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("uscc", "provider_id", name="pk_provider_engagement"),
    )


def downgrade() -> None:
    op.drop_table("provider_engagement")
