"""commit order: leads and outbox rows carry the id of the transaction that wrote them

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Several writers take ids from one sequence and commit in any order, so a reader that moves a
# cursor past the highest id it has seen can step over a row committed a moment later. The
# writing transaction's id lets a reader take only what every finished transaction wrote
# (crm_store/integration_events.py). Rows already there read 0: they were all committed.
_TABLES = ("leads", "outbox")
_PG_TXID = "(pg_current_xact_id()::text)::bigint"


def upgrade() -> None:
    """Apply this revision."""
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in _TABLES:
        op.add_column(table, sa.Column("txid", sa.BigInteger(), nullable=False,
                                       server_default=sa.text("0")))
        if postgres:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN txid SET DEFAULT {_PG_TXID}")
        op.create_index(f"ix_{table}_txid", table, ["txid", "id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy of `leads` would drop its triggers.
    for table in _TABLES:
        op.drop_index(f"ix_{table}_txid", table_name=table)
        op.drop_column(table, "txid")
