"""routing state: fractional accept minutes, leads.assigned_at instead of a stamp on managers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crm_store.columns

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    # Batch mode: SQLite cannot alter or drop a column in place, so Alembic copies the table.
    with op.batch_alter_table("teams") as batch:
        batch.alter_column("accept_minutes", type_=sa.Float(), existing_nullable=False)
    with op.batch_alter_table("managers") as batch:
        batch.drop_column("last_assigned_at")
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("assigned_at", crm_store.columns.UtcDateTime(), nullable=True))
    op.create_index("ix_leads_manager_status", "leads", ["manager_id", "status"])
    op.create_index("ix_leads_manager_assigned", "leads", ["manager_id", "assigned_at"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_leads_manager_assigned", table_name="leads")
    op.drop_index("ix_leads_manager_status", table_name="leads")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("assigned_at")
    with op.batch_alter_table("managers") as batch:
        batch.add_column(sa.Column("last_assigned_at", crm_store.columns.UtcDateTime()))
    with op.batch_alter_table("teams") as batch:
        batch.alter_column("accept_minutes", type_=sa.Integer(), existing_nullable=False)
