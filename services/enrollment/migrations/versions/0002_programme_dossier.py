"""Programme configuration (versioned) and the extended, versioned enterprise dossier.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from szcore.types import BigIntPK, UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

DOSSIER_COLUMNS = (
    ("programme_id", sa.String(64)),
    ("pilot_industry", sa.String(64)),
    ("srdi_recognised_on", sa.Date()),
    ("srdi_expires_on", sa.Date()),
    ("annual_output_fen", sa.BigInteger()),
    ("employees", sa.Integer()),
    ("output_tier", sa.String(20)),
    ("contact_name", sa.String(100)),
    ("contact_phone", sa.String(40)),
    ("contact_email", sa.String(200)),
    ("officer_name", sa.String(100)),
    ("officer_phone", sa.String(40)),
    ("officer_email", sa.String(200)),
    ("batch_id", sa.String(64)),
)


def upgrade() -> None:
    op.create_table(
        "programme",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("city_code", sa.String(12), nullable=False),
        sa.Column("city_name", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_programme"),
    )
    op.create_table(
        "programme_version",
        sa.Column("programme_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programme.id"], name="fk_programme_version_programme_id_programme"
        ),
        sa.PrimaryKeyConstraint("programme_id", "version", name="pk_programme_version"),
    )
    with op.batch_alter_table("enterprise") as batch:
        for name, type_ in DOSSIER_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
        batch.add_column(sa.Column("srdi_status", sa.String(20), nullable=False, server_default="none"))
        batch.add_column(sa.Column("cloud_adopted", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(
            sa.Column("admission_status", sa.String(20), nullable=False, server_default="registered")
        )
        batch.create_index("ix_enterprise_pilot_industry", ["pilot_industry"])
        batch.create_index("ix_enterprise_srdi_status", ["srdi_status"])
        batch.create_index("ix_enterprise_admission_status", ["admission_status"])
        batch.create_index("ix_enterprise_batch_id", ["batch_id"])
    op.create_table(
        "enterprise_version",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.Column("changed_role", sa.String(50), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_enterprise_version"),
        sa.UniqueConstraint("uscc", "version", name="uq_enterprise_version_uscc"),
    )
    op.create_index("ix_enterprise_version_uscc", "enterprise_version", ["uscc"])


def downgrade() -> None:
    op.drop_table("enterprise_version")
    with op.batch_alter_table("enterprise") as batch:
        for index in ("pilot_industry", "srdi_status", "admission_status", "batch_id"):
            batch.drop_index(f"ix_enterprise_{index}")
        for name in ("srdi_status", "cloud_adopted", "version", "admission_status"):
            batch.drop_column(name)
        for name, _ in DOSSIER_COLUMNS:
            batch.drop_column(name)
    op.drop_table("programme_version")
    op.drop_table("programme")
