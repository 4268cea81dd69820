"""Outgoing webhook deliveries: queued once per (webhook, event), due, delivered, given up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.integration_tables import webhook_deliveries as deliveries


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event owed to one webhook."""

    id: int
    webhook: str
    event_id: str
    event: str
    delivery_id: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True, slots=True)
class QueuedEvent:
    """An event to queue for a webhook: its stable id, name and body."""

    webhook: str
    event_id: str
    event: str
    delivery_id: str
    payload: dict[str, Any]


_COLUMNS = (deliveries.c.id, deliveries.c.webhook, deliveries.c.event_id, deliveries.c.event,
            deliveries.c.delivery_id, deliveries.c.payload, deliveries.c.attempts)


async def enqueue(conn: AsyncConnection, events: Sequence[QueuedEvent], now: datetime) -> int:
    """Queue each event once per webhook (a second queueing is a no-op); how many were new."""
    if not events:
        return 0
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(deliveries).on_conflict_do_nothing()
    result = await conn.execute(statement, [
        {"webhook": e.webhook, "event_id": e.event_id, "event": e.event,
         "delivery_id": e.delivery_id, "payload": e.payload, "status": "pending", "attempts": 0,
         "next_attempt_at": now, "created_at": now} for e in events
    ])
    return max(int(result.rowcount or 0), 0)


async def due(conn: AsyncConnection, now: datetime, limit: int = 50) -> list[Delivery]:
    """Pending deliveries whose time has come, oldest first."""
    rows = await conn.execute(
        select(*_COLUMNS)
        .where(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= now)
        .order_by(deliveries.c.next_attempt_at, deliveries.c.id).limit(limit)
    )
    return [Delivery(*row) for row in rows]


async def record_attempt(conn: AsyncConnection, delivery_id: int, now: datetime,
                         error: str | None, retry_at: datetime | None) -> None:
    """Delivered (no error), retried at `retry_at`, or given up (`retry_at` None)."""
    values: dict[str, Any] = {"attempts": deliveries.c.attempts + 1, "last_error": error}
    if error is None:
        values |= {"status": "delivered", "delivered_at": now}
    elif retry_at is None:
        values |= {"status": "failed"}
    else:
        values |= {"next_attempt_at": retry_at}
    await conn.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(values))


async def failed(conn: AsyncConnection, limit: int = 1000) -> list[dict[str, Any]]:
    """Deliveries given up on, newest first."""
    rows = await conn.execute(
        select(deliveries.c.id, deliveries.c.webhook, deliveries.c.event,
               deliveries.c.event_id, deliveries.c.attempts, deliveries.c.last_error,
               deliveries.c.created_at)
        .where(deliveries.c.status == "failed").order_by(deliveries.c.id.desc()).limit(limit)
    )
    return [dict(row._mapping) for row in rows]


async def retry(conn: AsyncConnection, delivery_id: int, now: datetime) -> bool:
    """Queue a failed delivery again with fresh attempts; False if no such failed delivery."""
    result = await conn.execute(
        update(deliveries)
        .where(deliveries.c.id == delivery_id, deliveries.c.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=now)
    )
    return bool(result.rowcount)


async def statuses(conn: AsyncConnection) -> list[dict[str, Any]]:
    """Every delivery's state (for tests and health)."""
    rows = await conn.execute(select(*_COLUMNS, deliveries.c.status, deliveries.c.next_attempt_at,
                                     deliveries.c.last_error).order_by(deliveries.c.id))
    return [dict(row._mapping) for row in rows]
