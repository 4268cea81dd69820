"""lean lead indexes: deadlines and change positions indexed only where they are set

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

# A new lead wrote an entry into each of the 14 indexes of `leads`, most of them for a value
# it did not have yet: a callback asked, a contact deadline, an accept, a close. Their readers
# only ever look for leads that have one (a deadline passed, a change past a position), so
# these indexes now hold only those leads; a new lead writes 6 index entries fewer, and the
# indexes stay as small as the work waiting in them. `ix_leads_manager_id` goes: the two
# (manager_id, ...) indexes answer everything it did.
# (index, columns, the rows it holds); names are kept, so the code's readers need no change.
_PARTIAL = (
    ("ix_leads_callback_due", ["callback_due_at"], "callback_due_at IS NOT NULL"),
    ("ix_leads_callback_requested", ["callback_requested_at"],
     "callback_requested_at IS NOT NULL"),
    ("ix_leads_offer_deadline_at", ["offer_deadline_at"], "offer_deadline_at IS NOT NULL"),
    ("ix_leads_contact_due_at", ["contact_due_at"], "contact_due_at IS NOT NULL"),
    ("ix_leads_accepted_txid", ["accepted_txid", "id"], "accepted_txid > 0"),
    ("ix_leads_closed_txid", ["closed_txid", "id"], "closed_txid > 0"),
)


def upgrade() -> None:
    """Apply this revision."""
    op.drop_index("ix_leads_manager_id", table_name="leads")
    for name, columns, where in _PARTIAL:
        op.drop_index(name, table_name="leads")
        op.create_index(name, "leads", columns, postgresql_where=sa.text(where),
                        sqlite_where=sa.text(where))


def downgrade() -> None:
    """Revert this revision."""
    for name, columns, _ in _PARTIAL:
        op.drop_index(name, table_name="leads")
        op.create_index(name, "leads", columns)
    op.create_index("ix_leads_manager_id", "leads", ["manager_id"])
