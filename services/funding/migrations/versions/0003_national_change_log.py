"""The national change feed's change_log, with every existing national entity queued once.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

from szcore.changefeed import backfill, create_change_log

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    change_log = create_change_log(bind)
    backfill(bind, change_log, "claim", "claim", "claim_id")
    backfill(bind, change_log, "payment", "payment", "payment_id")


def downgrade() -> None:
    op.drop_table("change_log")
