"""Managers, teams, the transactional outbox and consumer dedup: what routing reads and writes."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    text,
)

from crm_store.columns import Id, Json, UtcDateTime, writing_transaction
from crm_store.tables import metadata

managers = Table(
    "managers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("login", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320)),
    Column("telegram_chat_id", BigInteger),
    Column("extension", String(32)),
    Column("capacity", Integer, nullable=False, default=20),
    Column("hours", String(200)),
    Column("languages", Json, nullable=False, default=list),
    Column("regions", Json, nullable=False, default=list),
    Column("available", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime, nullable=False),
)

teams = Table(
    "teams",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("accept_minutes", Float, nullable=False, default=5),
    Column("contact_minutes", Float),
    Column("lead_manager_id", Id, ForeignKey("managers.id")),
)

team_members = Table(
    "team_members",
    metadata,
    Column("team_id", Id, ForeignKey("teams.id"), primary_key=True),
    Column("manager_id", Id, ForeignKey("managers.id"), primary_key=True),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("message_id", String(200), nullable=False, unique=True),
    Column("routing_key", String(200), nullable=False),
    Column("payload", Json, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    writing_transaction(),
    # Only the unsent rows, in order: the relay's claim and its head look-up read this index
    # and stay as cheap with a million sent rows behind them as with none.
    Index("ix_outbox_unsent", "id", postgresql_where=text("sent_at IS NULL"),
          sqlite_where=text("sent_at IS NULL")),
    Index("ix_outbox_txid", "txid", "id"),
)

manager_loads = Table(
    "manager_loads",
    metadata,
    # Leads offered to or accepted by the manager and not closed, kept by triggers on `leads`
    # (migration 0014) so routing reads one row instead of counting the manager's leads.
    Column("manager_id", Id, primary_key=True, autoincrement=False),
    Column("load", Integer, nullable=False),
)

consumed_messages = Table(
    "consumed_messages",
    metadata,
    Column("consumer", String(100), primary_key=True),
    Column("message_id", String(200), primary_key=True),
    Column("consumed_at", UtcDateTime, nullable=False),
)
