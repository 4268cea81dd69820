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

_READ = ("lead", "outbox", *store.CHANGES)


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
        at = {table: _position(cursor, table) for table in _READ}
        found: list[LeadEvent] = []
        reached = dict(at)
        async with self._engine.connect() as conn:
            below = await store.horizon(conn)
            created = await store.new_leads(conn, at["lead"], below)
            found += [LeadEvent(f"lead.created:{lead['id']}", "lead.created", lead)
                      for _, lead in created]
            reached["lead"] = created[-1][0] if created else at["lead"]
            if with_changes:
                messages = await store.outbox_messages(conn, at["outbox"], below)
                found += [LeadEvent(m["message_id"], _event_name(m), dict(m["payload"]))
                          for _, m in messages]
                reached["outbox"] = messages[-1][0] if messages else at["outbox"]
                for change in store.CHANGES:
                    rows = await store.leads_changed(conn, change, at[change], below)
                    found += [LeadEvent(f"lead.{change}:{lead['id']}", f"lead.{change}", lead)
                              for _, lead in rows]
                    reached[change] = rows[-1][0] if rows else at[change]
        self._pending = {key: value for table, position in reached.items()
                         for key, value in _stored(table, position).items()}
        return found

    async def commit(self) -> None:
        """The events of the last scan are queued: do not report them again."""
        if self._pending is not None:
            await self._cursors.save(self._key, self._pending)
            self._pending = None

    async def _first_cursor(self, now: datetime) -> dict[str, Any]:
        async with self._engine.connect() as conn:
            first = await store.first_positions(conn, now - CATCH_UP)
        return {key: value for table, position in first.items()
                for key, value in _stored(table, position).items()}


def _position(cursor: dict[str, Any], table: str) -> store.Position:
    # A cursor saved before migration 0015 has ids only: the rows it covers all read txid 0.
    # One saved before 0017 has no changes: it reads every change made since (see leads_changed).
    return int(cursor.get(f"{table}_txid", 0)), int(cursor.get(table, 0))


def _stored(table: str, position: store.Position) -> dict[str, int]:
    return {f"{table}_txid": position[0], table: position[1]}


def _event_name(message: dict[str, Any]) -> str:
    named = (message.get("payload") or {}).get("event")
    if isinstance(named, str) and named:
        return named
    key = str(message["routing_key"])
    return ".".join(key.split(".")[:2])
