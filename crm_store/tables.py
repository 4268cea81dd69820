"""The customer card: customers, identities, leads, touches, merges, and service state."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from crm_store.columns import (
    Id,
    Json,
    UtcDateTime,
    change_transaction,
    only_where,
    writing_transaction,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

customers = Table(
    "customers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("name", String(200)),
    Column("owner_manager_id", Id, ForeignKey("managers.id")),
    Column("merged_into_id", Id, ForeignKey("customers.id")),
    # Only merged cards: a new card writes no entry (migration 0018).
    only_where("merged_into_id IS NOT NULL", "ix_customers_merged_into_id", "merged_into_id"),
)

identities = Table(
    "identities",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("customer_id", Id, ForeignKey("customers.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("value", String(320), nullable=False),
    Column("info", Json, nullable=False, default=dict),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("kind", "value", name="uq_identities_kind_value"),
)

leads = Table(
    "leads",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("customer_id", Id, ForeignKey("customers.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("attribution", Json, nullable=False, default=dict),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_touch_at", UtcDateTime, nullable=False),
    Column("manager_id", Id, ForeignKey("managers.id")),
    Column("team", String(64)),
    Column("routing", Json),
    Column("callback_due_at", UtcDateTime),
    Column("callback_done_at", UtcDateTime),
    Column("accepted_at", UtcDateTime),
    Column("closed_at", UtcDateTime),
    Column("offer_deadline_at", UtcDateTime),
    Column("assigned_at", UtcDateTime),
    # Speed to lead: the first time a manager reached the customer, and the deadlines' state.
    Column("contacted_at", UtcDateTime),
    Column("contacted_by", Id, ForeignKey("managers.id")),
    Column("contact_due_at", UtcDateTime),
    Column("contact_overdue_at", UtcDateTime),
    Column("callback_requested_at", UtcDateTime),
    Column("callback_reminded_at", UtcDateTime),
    Column("callback_escalated_at", UtcDateTime),
    writing_transaction(),
    # The accept and the close in commit order, for readers that report them (webhooks).
    change_transaction("accepted_txid"),
    change_transaction("closed_txid"),
    Index("ix_leads_customer_status", "customer_id", "status"),
    Index("ix_leads_manager_status", "manager_id", "status"),
    Index("ix_leads_manager_assigned", "manager_id", "assigned_at"),
    Index("ix_leads_status_created", "status", "created_at"),
    Index("ix_leads_created_at", "created_at"),
    Index("ix_leads_txid", "txid", "id"),
    # Deadlines and change positions only where a lead has one (migration 0018): a new lead
    # writes no entry for a value it does not have yet. A reader must name the condition
    # (a comparison on the column implies IS NOT NULL; a change position: `is_changed`).
    only_where("callback_due_at IS NOT NULL", "ix_leads_callback_due", "callback_due_at"),
    only_where("callback_requested_at IS NOT NULL", "ix_leads_callback_requested",
               "callback_requested_at"),
    only_where("offer_deadline_at IS NOT NULL", "ix_leads_offer_deadline_at",
               "offer_deadline_at"),
    only_where("contact_due_at IS NOT NULL", "ix_leads_contact_due_at", "contact_due_at"),
    only_where("accepted_txid > 0", "ix_leads_accepted_txid", "accepted_txid", "id"),
    only_where("closed_txid > 0", "ix_leads_closed_txid", "closed_txid", "id"),
)

touches = Table(
    "touches",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("customer_id", Id, ForeignKey("customers.id"), nullable=False, index=True),
    Column("lead_id", Id, ForeignKey("leads.id"), index=True),
    Column("channel", String(16), nullable=False),
    Column("external_id", String(512), nullable=False),
    Column("direction", String(8), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("name", String(200)),
    Column("subject", Text),
    Column("text", Text),
    Column("attribution", Json, nullable=False, default=dict),
    Column("details", Json, nullable=False, default=dict),
    Column("identities", Json, nullable=False, default=list),
    Column("raw_ref", String(512)),
    Column("raw", LargeBinary),
    UniqueConstraint("channel", "external_id", name="uq_touches_channel_external_id"),
)

merges = Table(
    "merges",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("from_customer_id", Id, nullable=False),
    Column("into_customer_id", Id, ForeignKey("customers.id"), nullable=False, index=True),
    Column("identity_kind", String(32), nullable=False),
    Column("identity_value", String(320), nullable=False),
    Column("touch_channel", String(16), nullable=False),
    Column("touch_external_id", String(512), nullable=False),
    Column("merged_at", UtcDateTime, nullable=False),
    Column("moved", Json),
    Column("undone_at", UtcDateTime),
)

ignored_events = Table(
    "ignored_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("channel", String(16), nullable=False),
    Column("external_id", String(512), nullable=False),
    Column("reason", String(200), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("details", Json, nullable=False, default=dict),
    Column("raw", LargeBinary),
    UniqueConstraint("channel", "external_id", name="uq_ignored_events_channel_external_id"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("manager_id", Id, ForeignKey("managers.id")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("last_used_at", UtcDateTime),
    Column("revoked_at", UtcDateTime),
)

channel_cursors = Table(
    "channel_cursors",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("value", Json, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
