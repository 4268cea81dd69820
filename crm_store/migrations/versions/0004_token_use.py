"""api tokens: when each was last used and when it was revoked

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 16:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crm_store.columns

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("last_used_at", crm_store.columns.UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("revoked_at", crm_store.columns.UtcDateTime(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("revoked_at")
        batch.drop_column("last_used_at")
