"""speed to lead: contacted_at and who, contact and callback deadline state, report indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crm_store.columns

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENTS = (
    "contacted_at", "contact_due_at", "contact_overdue_at", "callback_requested_at",
    "callback_reminded_at", "callback_escalated_at",
)


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("leads") as batch:
        for name in _MOMENTS:
            batch.add_column(sa.Column(name, crm_store.columns.UtcDateTime(), nullable=True))
        batch.add_column(sa.Column(
            "contacted_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True))
        batch.create_foreign_key("fk_leads_contacted_by_managers", "managers",
                                 ["contacted_by"], ["id"])
    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("contact_minutes", sa.Float(), nullable=True))
    op.create_index("ix_leads_contact_due_at", "leads", ["contact_due_at"])
    op.create_index("ix_leads_created_at", "leads", ["created_at"])
    op.create_index("ix_leads_callback_due", "leads", ["callback_due_at"])
    op.create_index("ix_leads_callback_requested", "leads", ["callback_requested_at"])


def downgrade() -> None:
    """Revert this revision."""
    for name in ("ix_leads_callback_requested", "ix_leads_callback_due", "ix_leads_created_at",
                 "ix_leads_contact_due_at"):
        op.drop_index(name, table_name="leads")
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("contact_minutes")
    with op.batch_alter_table("leads") as batch:
        batch.drop_constraint("fk_leads_contacted_by_managers", type_="foreignkey")
        batch.drop_column("contacted_by")
        for name in reversed(_MOMENTS):
            batch.drop_column(name)
