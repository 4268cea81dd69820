"""teams.accept_minutes may be fractional (short accept times for tests and hot lines)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    # Batch mode: SQLite cannot alter a column's type in place, so Alembic copies the table.
    with op.batch_alter_table("teams") as batch:
        batch.alter_column("accept_minutes", type_=sa.Float(), existing_nullable=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("teams") as batch:
        batch.alter_column("accept_minutes", type_=sa.Integer(), existing_nullable=False)
