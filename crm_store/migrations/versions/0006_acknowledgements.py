"""acknowledgements

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 16:13:16.911557
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crm_store.columns

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""

    op.create_table(
        "acknowledgements",
        sa.Column("lead_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("detail", sa.String(length=300), nullable=True),
        sa.Column("created_at", crm_store.columns.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_acknowledgements_lead_id_leads")
        ),
        sa.PrimaryKeyConstraint("lead_id", name=op.f("pk_acknowledgements")),
    )


def downgrade() -> None:
    """Revert this revision."""

    op.drop_table("acknowledgements")
