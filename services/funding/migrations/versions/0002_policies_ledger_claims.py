"""Policies (versioned documents), funding sources and the hash-chained ledger, claims with invoices,
payments and disbursement batches, recoveries, idempotency records, and the read copies funding needs
(acceptances, contracts, designations, admission and dossier fields on enterprise_copy).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from szcore.types import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "acceptance_copy",
        sa.Column("assessment_id", sa.String(length=64), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("level_before", sa.Integer(), nullable=False),
        sa.Column("evaluated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("assessment_id", name=op.f("pk_acceptance_copy")),
    )
    with op.batch_alter_table("acceptance_copy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_acceptance_copy_uscc"), ["uscc"], unique=False)

    op.create_table(
        "claim",
        sa.Column("claim_id", sa.String(length=36), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("county_code", sa.String(length=12), nullable=False),
        sa.Column("industry_code", sa.String(length=10), nullable=False),
        sa.Column("policy_key", sa.String(length=64), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("line_code", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("contract_id", sa.String(length=64), nullable=True),
        sa.Column("assessment_id", sa.String(length=64), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("accepted_at", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("claimed_fen", sa.BigInteger(), nullable=False),
        sa.Column("quoted_fen", sa.BigInteger(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("audited_fen", sa.BigInteger(), nullable=True),
        sa.Column("audit_result", sa.String(length=20), nullable=True),
        sa.Column("audit_note", sa.String(length=500), nullable=False),
        sa.Column("approved_fen", sa.BigInteger(), nullable=False),
        sa.Column("paid_fen", sa.BigInteger(), nullable=False),
        sa.Column("recovered_fen", sa.BigInteger(), nullable=False),
        sa.Column("review_note", sa.String(length=500), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_claim")),
    )
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_county_code"), ["county_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_uscc"), ["uscc"], unique=False)

    op.create_table(
        "contract_copy",
        sa.Column("contract_id", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("provider_uscc", sa.String(length=18), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("lines_json", sa.Text(), nullable=False),
        sa.Column("signed_on", UTCDateTime(), nullable=False),
        sa.Column("starts_on", UTCDateTime(), nullable=True),
        sa.Column("ends_on", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("contract_id", name=op.f("pk_contract_copy")),
    )
    with op.batch_alter_table("contract_copy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contract_copy_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contract_copy_uscc"), ["uscc"], unique=False)

    op.create_table(
        "designation_copy",
        sa.Column("designation_id", sa.String(length=64), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("awarded_on", UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("designation_id", name=op.f("pk_designation_copy")),
    )
    with op.batch_alter_table("designation_copy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_designation_copy_uscc"), ["uscc"], unique=False)

    op.create_table(
        "disbursement_batch",
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payments_count", sa.Integer(), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_disbursement_batch")),
    )
    with op.batch_alter_table("disbursement_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disbursement_batch_source_id"), ["source_id"], unique=False)

    op.create_table(
        "funding_source",
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("county_code", sa.String(length=12), nullable=True),
        sa.Column("policy_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_funding_source")),
    )
    with op.batch_alter_table("funding_source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_funding_source_policy_key"), ["policy_key"], unique=False)

    op.create_table(
        "idempotency_record",
        sa.Column("scope", sa.String(length=60), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("actor_subject", sa.String(length=100), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_idempotency_record")),
    )
    op.create_table(
        "ledger_entry",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_type", sa.String(length=24), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("debit_account", sa.String(length=100), nullable=False),
        sa.Column("credit_account", sa.String(length=100), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("claim_id", sa.String(length=36), nullable=True),
        sa.Column("payment_id", sa.String(length=36), nullable=True),
        sa.Column("recovery_id", sa.String(length=36), nullable=True),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("county_code", sa.String(length=12), nullable=True),
        sa.Column("industry_code", sa.String(length=10), nullable=True),
        sa.Column("line_code", sa.String(length=64), nullable=True),
        sa.Column("memo", sa.String(length=300), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("actor_subject", sa.String(length=100), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entry")),
        sa.UniqueConstraint("seq", name=op.f("uq_ledger_entry_seq")),
    )
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_entry_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entry_credit_account"), ["credit_account"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entry_debit_account"), ["debit_account"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entry_source_id"), ["source_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entry_uscc"), ["uscc"], unique=False)

    op.create_table(
        "policy_version",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("policy_key", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=40), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("published_by", sa.String(length=100), nullable=False),
        sa.Column("lines_count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_version")),
        sa.UniqueConstraint("policy_key", "version", name="uq_policy_version_key_version"),
    )
    with op.batch_alter_table("policy_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_version_policy_key"), ["policy_key"], unique=False)

    op.create_table(
        "claim_allocation",
        sa.Column("claim_id", sa.String(length=36), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("paid_fen", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.claim_id"], name=op.f("fk_claim_allocation_claim_id_claim")
        ),
        sa.PrimaryKeyConstraint("claim_id", "source_id", name=op.f("pk_claim_allocation")),
    )
    op.create_table(
        "claim_attachment",
        sa.Column("claim_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.claim_id"], name=op.f("fk_claim_attachment_claim_id_claim")
        ),
        sa.PrimaryKeyConstraint("claim_id", "sha256", name=op.f("pk_claim_attachment")),
    )
    op.create_table(
        "claim_invoice",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("claim_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("payee_uscc", sa.String(length=18), nullable=False),
        sa.Column("payee_name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.claim_id"], name=op.f("fk_claim_invoice_claim_id_claim")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_invoice")),
    )
    with op.batch_alter_table("claim_invoice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_invoice_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_invoice_number"), ["number"], unique=False)

    op.create_table(
        "payment",
        sa.Column("payment_id", sa.String(length=36), nullable=False),
        sa.Column("claim_id", sa.String(length=36), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("bank_reference", sa.String(length=64), nullable=False),
        sa.Column("failure_reason", sa.String(length=300), nullable=False),
        sa.Column("queued_at", UTCDateTime(), nullable=False),
        sa.Column("settled_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.claim_id"], name=op.f("fk_payment_claim_id_claim")),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_payment")),
    )
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_source_id"), ["source_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_uscc"), ["uscc"], unique=False)

    op.create_table(
        "recovery",
        sa.Column("recovery_id", sa.String(length=36), nullable=False),
        sa.Column("claim_id", sa.String(length=36), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("repaid_fen", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("cause_event_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("raised_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.claim_id"], name=op.f("fk_recovery_claim_id_claim")),
        sa.PrimaryKeyConstraint("recovery_id", name=op.f("pk_recovery")),
    )
    with op.batch_alter_table("recovery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_recovery_uscc"), ["uscc"], unique=False)

    op.create_table(
        "provider_copy",
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("provider_id", name=op.f("pk_provider_copy")),
    )
    with op.batch_alter_table("provider_copy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provider_copy_uscc"), ["uscc"], unique=False)

    with op.batch_alter_table("enterprise_copy", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pilot_industry", sa.String(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("srdi_status", sa.String(length=20), nullable=False, server_default="none")
        )
        batch_op.add_column(
            sa.Column("cloud_adopted", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("dossier_version", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("admitted_at", UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("programme_id", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("batch_number", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("revoked_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("enterprise_copy", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("batch_number")
        batch_op.drop_column("programme_id")
        batch_op.drop_column("admitted_at")
        batch_op.drop_column("dossier_version")
        batch_op.drop_column("cloud_adopted")
        batch_op.drop_column("srdi_status")
        batch_op.drop_column("pilot_industry")

    with op.batch_alter_table("recovery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_uscc"))
        batch_op.drop_index(batch_op.f("ix_recovery_claim_id"))

    op.drop_table("recovery")
    op.drop_table("provider_copy")
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_uscc"))
        batch_op.drop_index(batch_op.f("ix_payment_status"))
        batch_op.drop_index(batch_op.f("ix_payment_source_id"))
        batch_op.drop_index(batch_op.f("ix_payment_claim_id"))
        batch_op.drop_index(batch_op.f("ix_payment_batch_id"))

    op.drop_table("payment")
    with op.batch_alter_table("claim_invoice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_invoice_number"))
        batch_op.drop_index(batch_op.f("ix_claim_invoice_claim_id"))

    op.drop_table("claim_invoice")
    op.drop_table("claim_attachment")
    op.drop_table("claim_allocation")
    with op.batch_alter_table("policy_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_version_policy_key"))

    op.drop_table("policy_version")
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entry_uscc"))
        batch_op.drop_index(batch_op.f("ix_ledger_entry_source_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entry_debit_account"))
        batch_op.drop_index(batch_op.f("ix_ledger_entry_credit_account"))
        batch_op.drop_index(batch_op.f("ix_ledger_entry_claim_id"))

    op.drop_table("ledger_entry")
    op.drop_table("idempotency_record")
    with op.batch_alter_table("funding_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funding_source_policy_key"))

    op.drop_table("funding_source")
    with op.batch_alter_table("disbursement_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disbursement_batch_source_id"))

    op.drop_table("disbursement_batch")
    with op.batch_alter_table("designation_copy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_designation_copy_uscc"))

    op.drop_table("designation_copy")
    with op.batch_alter_table("contract_copy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_copy_uscc"))
        batch_op.drop_index(batch_op.f("ix_contract_copy_project_id"))

    op.drop_table("contract_copy")
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_uscc"))
        batch_op.drop_index(batch_op.f("ix_claim_status"))
        batch_op.drop_index(batch_op.f("ix_claim_county_code"))

    op.drop_table("claim")
    with op.batch_alter_table("acceptance_copy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_acceptance_copy_uscc"))

    op.drop_table("acceptance_copy")
