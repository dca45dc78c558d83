"""The national change feed's change_log, with every existing national entity queued once.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

from szcore.changefeed import backfill, create_change_log

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    change_log = create_change_log(bind)
    backfill(bind, change_log, "programme", "programme", "id")
    backfill(bind, change_log, "enterprise", "enterprise", "uscc")
    backfill(bind, change_log, "application", "application", "id")


def downgrade() -> None:
    op.drop_table("change_log")
