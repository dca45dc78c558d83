"""Indexes for the KPI report's "latest acceptance / diagnosis per enterprise" (`performance/repository.py`),
measured by `python -m bench --only scale`: each holds only the rows that query reads, by USCC and newest
first as its window ranks them, with the level, so that it reads them without touching the table or sorting.
Their WHERE must stay the query's, or the planner no longer uses them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_assessment_latest_acceptance": (
        "signed_off_at",
        "kind = 'acceptance' AND status = 'signed_off' AND superseded_by_id IS NULL",
    ),
    "ix_assessment_latest_diagnosis": (
        "submitted_at",
        "kind = 'diagnosis' AND status IN ('submitted', 'signed_off') AND superseded_by_id IS NULL",
    ),
}


def upgrade() -> None:
    for name, (at, where) in INDEXES.items():
        op.create_index(
            name,
            "assessment",
            ["uscc", sa.text(f"{at} DESC")],
            postgresql_include=["level"],
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
        )


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="assessment")
