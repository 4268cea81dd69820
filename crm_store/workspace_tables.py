"""The managers' web workspace: login accounts, browser sessions, login throttling, card notes."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text

from crm_store.columns import Id, UtcDateTime
from crm_store.tables import metadata

manager_accounts = Table(
    "manager_accounts",
    metadata,
    Column("manager_id", Id, ForeignKey("managers.id"), primary_key=True),
    Column("password_hash", String(200)),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("manager_id", Id, ForeignKey("managers.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("login", String(64), primary_key=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("last_failed_at", UtcDateTime, nullable=False),
    Column("throttled_until", UtcDateTime),
)

card_notes = Table(
    "card_notes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("customer_id", Id, ForeignKey("customers.id"), nullable=False, index=True),
    Column("lead_id", Id, ForeignKey("leads.id")),
    Column("manager_id", Id, ForeignKey("managers.id")),
    Column("text", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)
