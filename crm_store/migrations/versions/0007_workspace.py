"""workspace: manager accounts, web sessions, login throttling, card notes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 15:39:59.872178
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crm_store.columns

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "login_failures",
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", crm_store.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("throttled_until", crm_store.columns.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("login", name=op.f("pk_login_failures")),
    )
    op.create_table(
        "manager_accounts",
        sa.Column(
            "manager_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("updated_at", crm_store.columns.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["managers.id"], name=op.f("fk_manager_accounts_manager_id_managers")
        ),
        sa.PrimaryKeyConstraint("manager_id", name=op.f("pk_manager_accounts")),
    )
    op.create_table(
        "web_sessions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "manager_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", crm_store.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", crm_store.columns.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["managers.id"], name=op.f("fk_web_sessions_manager_id_managers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_sessions_token_hash")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_web_sessions_manager_id"), ["manager_id"], unique=False
        )

    op.create_table(
        "card_notes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("lead_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "manager_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", crm_store.columns.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_card_notes_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_card_notes_lead_id_leads")
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["managers.id"], name=op.f("fk_card_notes_manager_id_managers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_notes")),
    )
    with op.batch_alter_table("card_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_card_notes_customer_id"), ["customer_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("card_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_notes_customer_id"))

    op.drop_table("card_notes")
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_manager_id"))

    op.drop_table("web_sessions")
    op.drop_table("manager_accounts")
    op.drop_table("login_failures")
