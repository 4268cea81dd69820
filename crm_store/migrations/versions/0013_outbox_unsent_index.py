"""outbox unsent index: the relay reads only unsent rows, however many were sent before

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 19:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UNSENT = sa.text("sent_at IS NULL")


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_unsent", ["id"], unique=False,
                              postgresql_where=_UNSENT, sqlite_where=_UNSENT)
        batch_op.drop_index(batch_op.f("ix_outbox_sent_at"))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_sent_at"), ["sent_at"], unique=False)
        batch_op.drop_index("ix_outbox_unsent")
