"""owner at accept: a card belongs to the manager who accepted its lead, not the one offered it

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 16:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Cards were claimed when a lead was first offered: each now belongs to the manager who last
# accepted one of its leads, or to nobody.
_OWNER_AT_ACCEPT = """
UPDATE customers SET owner_manager_id = (
    SELECT leads.manager_id FROM leads
    WHERE leads.customer_id = customers.id
      AND leads.accepted_at IS NOT NULL AND leads.manager_id IS NOT NULL
    ORDER BY leads.accepted_at DESC, leads.id DESC
    LIMIT 1
)
"""


def upgrade() -> None:
    """Apply this revision."""
    op.execute(_OWNER_AT_ACCEPT)


def downgrade() -> None:
    """Nothing to undo: an owner by offer cannot be told back from the data."""

