"""Lead events read from the store after a durable cursor: what webhooks and CRMs are told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store import integration_events as store
from crm_store.cursors import SqlCursorStore

CATCH_UP = timedelta(hours=1)
"""A first scan (no cursor yet) reports what happened in the last hour, not all history."""


@dataclass(frozen=True, slots=True)
class LeadEvent:
    """One event: a stable id (the same on every scan), its name and its data."""

    event_id: str
    event: str
    data: dict[str, Any]


class EventScanner:
    """Reads new events since the cursor kept under `key`; `commit()` moves the cursor on."""

    def __init__(self, engine: AsyncEngine, key: str) -> None:
        self._engine = engine
        self._cursors = SqlCursorStore(engine)
        self._key = key
        self._pending: dict[str, Any] | None = None

    async def scan(self, now: datetime, with_changes: bool = True) -> list[LeadEvent]:
        """Events after the cursor: lead.created, routing messages, lead.accepted, lead.closed."""
        cursor = await self._cursors.load(self._key) or await self._first_cursor(now)
        lead_at, message_at = _position(cursor, "lead"), _position(cursor, "outbox")
        found: list[LeadEvent] = []
        async with self._engine.connect() as conn:
            below = await store.horizon(conn)
            created = await store.new_leads(conn, lead_at, below)
            found += [LeadEvent(f"lead.created:{lead['id']}", "lead.created", lead)
                      for _, lead in created]
            messages = await store.outbox_messages(conn, message_at, below) if with_changes else []
            found += [LeadEvent(m["message_id"], _event_name(m), dict(m["payload"]))
                      for _, m in messages]
            changed: dict[str, str] = {}
            for column, event in (("accepted_at", "lead.accepted"), ("closed_at", "lead.closed")):
                since = datetime.fromisoformat(cursor[column])
                rows = await store.leads_changed(conn, column, since) if with_changes else []
                found += [LeadEvent(f"{event}:{lead['id']}", event, lead) for lead in rows]
                changed[column] = rows[-1][column] if rows else cursor[column]
        self._pending = {
            **_stored("lead", created[-1][0] if created else lead_at),
            **_stored("outbox", messages[-1][0] if messages else message_at), **changed,
        }
        return found

    async def commit(self) -> None:
        """The events of the last scan are queued: do not report them again."""
        if self._pending is not None:
            await self._cursors.save(self._key, self._pending)
            self._pending = None

    async def _first_cursor(self, now: datetime) -> dict[str, Any]:
        since = now - CATCH_UP
        async with self._engine.connect() as conn:
            lead, message = await store.first_positions(conn, since)
        return {**_stored("lead", lead), **_stored("outbox", message),
                "accepted_at": since.isoformat(), "closed_at": since.isoformat()}


def _position(cursor: dict[str, Any], table: str) -> store.Position:
    # A cursor saved before migration 0015 has ids only: the rows it covers all read txid 0.
    return int(cursor.get(f"{table}_txid", 0)), int(cursor[table])


def _stored(table: str, position: store.Position) -> dict[str, int]:
    return {f"{table}_txid": position[0], table: position[1]}


def _event_name(message: dict[str, Any]) -> str:
    named = (message.get("payload") or {}).get("event")
    if isinstance(named, str) and named:
        return named
    key = str(message["routing_key"])
    return ".".join(key.split(".")[:2])
