"""Index for the KPI report's designations and cases (`performance/repository.py`, filtered on
`enterprise.programme_id`), measured by `python -m bench --only scale`: without it each report scanned the
whole enterprise table. A programme holds most of a city's enterprises, so a plain index on the programme
hardly narrows; this one also carries what those queries read of an enterprise (USCC to join, county to
count), so that they read neither the table nor more than the programme's entries, in USCC order.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_enterprise_programme_uscc",
        "enterprise",
        ["programme_id", "uscc"],
        postgresql_include=["county_code"],
    )


def downgrade() -> None:
    op.drop_index("ix_enterprise_programme_uscc", table_name="enterprise")
