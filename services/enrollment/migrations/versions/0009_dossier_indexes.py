"""Index for the filtered dossier list (county + industry prefix + status), measured by `python -m bench`
(dossier workload): at 1,000,000 enterprises the county index alone leaves ~10,000 rows per county to fetch
and filter; this one narrows to the few that match. `varchar_pattern_ops` lets `industry_code LIKE 'C34%'`
use the index whatever the database collation (PostgreSQL only; SQLite gets a plain index).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_enterprise_county_industry_status",
        "enterprise",
        ["county_code", "industry_code", "admission_status"],
        postgresql_ops={"industry_code": "varchar_pattern_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_enterprise_county_industry_status", table_name="enterprise")
