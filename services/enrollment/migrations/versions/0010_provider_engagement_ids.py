"""Provider access per engagement: a diagnosis and a transformation of the same provider end separately.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows from before carry no engagement id (''): any end of the pair removes them, as it did.
    op.create_table(
        "provider_engagement_by_id",
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("provider_id", sa.String(100), nullable=False),
        sa.Column("engagement_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("uscc", "provider_id", "engagement_id", name="pk_provider_engagement_ids"),
    )
    op.execute(
        "INSERT INTO provider_engagement_by_id (uscc, provider_id, engagement_id) "
        "SELECT uscc, provider_id, '' FROM provider_engagement"
    )
    op.drop_table("provider_engagement")
    op.rename_table("provider_engagement_by_id", "provider_engagement")


def downgrade() -> None:
    op.create_table(
        "provider_engagement_pairs",
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("provider_id", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("uscc", "provider_id", name="pk_provider_engagement"),
    )
    op.execute(
        "INSERT INTO provider_engagement_pairs (uscc, provider_id) "
        "SELECT DISTINCT uscc, provider_id FROM provider_engagement"
    )
    op.drop_table("provider_engagement")
    op.rename_table("provider_engagement_pairs", "provider_engagement")
