"""webhook deliveries and crm exports

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 15:57:55.627518
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import crm_store.columns

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""

    op.create_table(
        "webhook_deliveries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("webhook", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("delivery_id", sa.String(length=64), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", crm_store.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", crm_store.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", crm_store.columns.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("delivery_id", name=op.f("uq_webhook_deliveries_delivery_id")),
        sa.UniqueConstraint("webhook", "event_id", name="uq_webhook_deliveries_webhook_event_id"),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_deliveries_status_next", ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "crm_exports",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("crm", sa.String(length=32), nullable=False),
        sa.Column("lead_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", crm_store.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", crm_store.columns.UtcDateTime(timezone=True), nullable=True),
        sa.Column("crm_lead_id", sa.String(length=64), nullable=True),
        sa.Column("crm_contact_id", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", crm_store.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", crm_store.columns.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_crm_exports_lead_id_leads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_exports")),
        sa.UniqueConstraint("crm", "lead_id", name="uq_crm_exports_crm_lead_id"),
    )
    with op.batch_alter_table("crm_exports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_crm_exports_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            "ix_crm_exports_state_next", ["state", "next_attempt_at"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""

    with op.batch_alter_table("crm_exports", schema=None) as batch_op:
        batch_op.drop_index("ix_crm_exports_state_next")
        batch_op.drop_index(batch_op.f("ix_crm_exports_customer_id"))

    op.drop_table("crm_exports")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_deliveries_status_next")

    op.drop_table("webhook_deliveries")
