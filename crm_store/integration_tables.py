"""What Leadgate owes others: webhook deliveries, CRM exports, acknowledgements to customers."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint

from crm_store.columns import Id, Json, UtcDateTime
from crm_store.tables import metadata

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("webhook", String(64), nullable=False),
    Column("event_id", String(200), nullable=False),
    Column("event", String(64), nullable=False),
    Column("delivery_id", String(64), nullable=False, unique=True),
    Column("payload", Json, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("last_error", String(300)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime),
    UniqueConstraint("webhook", "event_id", name="uq_webhook_deliveries_webhook_event_id"),
    Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
)

crm_exports = Table(
    "crm_exports",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("crm", String(32), nullable=False),
    Column("lead_id", Id, ForeignKey("leads.id"), nullable=False),
    Column("customer_id", Id, nullable=False, index=True),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("claimed_at", UtcDateTime),
    Column("crm_lead_id", String(64)),
    Column("crm_contact_id", String(64)),
    Column("last_error", String(300)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("crm", "lead_id", name="uq_crm_exports_crm_lead_id"),
    Index("ix_crm_exports_state_next", "state", "next_attempt_at"),
)

acknowledgements = Table(
    "acknowledgements",
    metadata,
    Column("lead_id", Id, ForeignKey("leads.id"), primary_key=True),
    Column("state", String(16), nullable=False),
    Column("channel", String(16)),
    Column("detail", String(300)),
    Column("created_at", UtcDateTime, nullable=False),
)
