"""Cheap read-only figures about the store for /metrics: is it up, how much waits in the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.routing_tables import outbox


@dataclass(frozen=True, slots=True)
class OutboxVitals:
    """Rows waiting for the relay and when the oldest of them was written."""

    unsent: int
    oldest_unsent_at: datetime | None


async def outbox_vitals(engine: AsyncEngine) -> OutboxVitals:
    """Count the unsent outbox rows in one statement; raises whatever the driver raises."""
    query = select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.sent_at.is_(None))
    async with engine.connect() as conn:
        count, oldest = (await conn.execute(query)).one()
    return OutboxVitals(int(count or 0), oldest)
