"""change order: a lead's accept and close carry their place in commit order

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Webhooks found accepts and closes by their `accepted_at` / `closed_at`, stamped before the
# transaction commits: a scan that had moved past a later stamp never saw an earlier one that
# committed after it. Each change now also records where it stands in commit order
# (crm_store.columns.in_commit_order). Changes made before read 0: reported already.
_COLUMNS = ("accepted_txid", "closed_txid")


def upgrade() -> None:
    """Apply this revision."""
    for column in _COLUMNS:
        op.add_column("leads", sa.Column(column, sa.BigInteger(), nullable=False,
                                         server_default=sa.text("0")))
        op.create_index(f"ix_leads_{column}", "leads", [column, "id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy of `leads` would drop its triggers.
    for column in _COLUMNS:
        op.drop_index(f"ix_leads_{column}", table_name="leads")
        op.drop_column("leads", column)
