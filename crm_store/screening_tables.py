"""The ban list, and the events of banned contacts kept in quarantine instead of becoming leads."""

from __future__ import annotations

from sqlalchemy import Column, Index, LargeBinary, String, Table, UniqueConstraint

from crm_store.columns import Id, Json, UtcDateTime
from crm_store.tables import metadata

bans = Table(
    "bans",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("value", String(320), nullable=False),
    Column("reason", String(500)),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("kind", "value", name="uq_bans_kind_value"),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("channel", String(16), nullable=False),
    Column("external_id", String(512), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("ban_kind", String(16), nullable=False),
    Column("ban_value", String(320), nullable=False),
    Column("event", Json, nullable=False),
    Column("raw", LargeBinary),
    Column("released_at", UtcDateTime),
    Column("released_as", Json),
    UniqueConstraint("channel", "external_id", name="uq_quarantine_channel_external_id"),
    Index("ix_quarantine_released_created", "released_at", "created_at"),
)
"""`event` is the whole ContactEvent as JSON (raw bytes beside it), so release can replay it."""
