"""lean indexes: deadlines, change positions and merges indexed only where set

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A new lead wrote an entry into each of the 14 indexes of `leads`, five of them for a value
# it did not have yet: a callback asked, a contact deadline, an accept, a close. Their readers
# only ever look for leads that have one (a deadline passed, a change past a position), so
# these indexes now hold only those leads; a new lead writes 6 index entries fewer, and the
# indexes stay as small as the work waiting in them. `ix_leads_manager_id` goes: the two
# (manager_id, ...) indexes answer everything it did. A new card likewise writes no entry
# for the card it was merged into: only a merged card has one, and readers ask for it by value.
# (table, index, columns, the rows it holds); names are kept, so readers need no change.
_PARTIAL = (
    ("customers", "ix_customers_merged_into_id", ["merged_into_id"],
     "merged_into_id IS NOT NULL"),
    ("leads", "ix_leads_callback_due", ["callback_due_at"], "callback_due_at IS NOT NULL"),
    ("leads", "ix_leads_callback_requested", ["callback_requested_at"],
     "callback_requested_at IS NOT NULL"),
    ("leads", "ix_leads_offer_deadline_at", ["offer_deadline_at"],
     "offer_deadline_at IS NOT NULL"),
    ("leads", "ix_leads_contact_due_at", ["contact_due_at"], "contact_due_at IS NOT NULL"),
    ("leads", "ix_leads_accepted_txid", ["accepted_txid", "id"], "accepted_txid > 0"),
    ("leads", "ix_leads_closed_txid", ["closed_txid", "id"], "closed_txid > 0"),
)


def upgrade() -> None:
    """Apply this revision."""
    op.drop_index("ix_leads_manager_id", table_name="leads")
    for table, name, columns, where in _PARTIAL:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, postgresql_where=sa.text(where),
                        sqlite_where=sa.text(where))


def downgrade() -> None:
    """Revert this revision."""
    for table, name, columns, _ in _PARTIAL:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns)
    op.create_index("ix_leads_manager_id", "leads", ["manager_id"])
