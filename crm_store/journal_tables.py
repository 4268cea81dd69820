"""The journal of refused requests: what an edge answered 400, 403 or 422, kept for a while."""

from __future__ import annotations

from sqlalchemy import Column, Integer, LargeBinary, String, Table

from crm_store.columns import Id, UtcDateTime
from crm_store.tables import metadata

refusals = Table(
    "refusals",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("channel", String(16), nullable=False),
    Column("path", String(300), nullable=False),
    Column("status", Integer, nullable=False),
    Column("code", String(64), nullable=False),
    Column("detail", String(500), nullable=False),
    Column("content_type", String(200)),
    Column("idempotency_key", String(200)),
    Column("raw", LargeBinary),
    Column("created_at", UtcDateTime, nullable=False, index=True),
)
