"""Expert pool, conflict-of-interest links, recorded draws; designations and honours.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from szcore.types import BigIntPK, UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "expert",
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("employer", sa.String(200), nullable=False),
        sa.Column("employer_uscc", sa.String(18), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_expert"),
    )
    op.create_table(
        "expert_link",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("expert_id", sa.String(100), nullable=False),
        sa.Column("party_type", sa.String(20), nullable=False),
        sa.Column("party_id", sa.String(100), nullable=False),
        sa.Column("relation", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_expert_link"),
        sa.UniqueConstraint("expert_id", "party_id", name="uq_expert_link_expert_id"),
    )
    op.create_index("ix_expert_link_expert_id", "expert_link", ["expert_id"])
    op.create_index("ix_expert_link_party_id", "expert_link", ["party_id"])
    op.create_table(
        "expert_draw",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("application_id", sa.String(36), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(64), nullable=False),
        sa.Column("eligible", sa.JSON(), nullable=False),
        sa.Column("excluded", sa.JSON(), nullable=False),
        sa.Column("selected", sa.JSON(), nullable=False),
        sa.Column("drawn_by", sa.String(200), nullable=False),
        sa.Column("drawn_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_expert_draw"),
    )
    op.create_index("ix_expert_draw_application_id", "expert_draw", ["application_id"])
    op.create_index("ix_expert_draw_uscc", "expert_draw", ["uscc"])
    op.create_table(
        "designation",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("awarded_on", sa.Date(), nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("evidence", sa.String(500), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_designation"),
        sa.UniqueConstraint("uscc", "kind", "awarded_on", "case_id", name="uq_designation_uscc"),
    )
    op.create_index("ix_designation_uscc", "designation", ["uscc"])
    op.create_index("ix_designation_kind", "designation", ["kind"])


def downgrade() -> None:
    op.drop_table("designation")
    op.drop_table("expert_draw")
    op.drop_table("expert_link")
    op.drop_table("expert")
