"""What changed lately, read by polling: new outbox messages and a fingerprint of the leads.

The web inbox is told about changes made by any process this way (SQLite has no LISTEN, and
PostgreSQL's NOTIFY would need a connection of its own per process): outbox rows are the very
messages the notifiers get; the fingerprint catches what writes no message (an accepted or
closed lead, a new touch, a note).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.routing_tables import outbox
from crm_store.tables import leads, touches
from crm_store.workspace_tables import card_notes
from leads.statuses import OPEN_STATUSES


async def newest_outbox_id(conn: AsyncConnection) -> int:
    """The highest outbox id written so far (0 when none)."""
    return int(await conn.scalar(select(func.max(outbox.c.id))) or 0)


async def outbox_after(conn: AsyncConnection, floor: int, limit: int) -> list[Any]:
    """Outbox rows with an id above `floor`, oldest first: id, routing key, payload."""
    return list(await conn.execute(
        select(outbox.c.id, outbox.c.routing_key, outbox.c.payload)
        .where(outbox.c.id > floor).order_by(outbox.c.id).limit(limit)))


async def fingerprint(conn: AsyncConnection) -> tuple[Any, ...]:
    """Changes whenever a lead opens, changes status, or a touch or note is added."""
    newest = (await conn.execute(select(
        select(func.max(leads.c.id)).scalar_subquery(),
        select(func.max(touches.c.id)).scalar_subquery(),
        select(func.max(card_notes.c.id)).scalar_subquery(),
    ))).one()
    counts = await conn.execute(select(leads.c.status, func.count()).where(
        leads.c.status.in_(OPEN_STATUSES)).group_by(leads.c.status).order_by(leads.c.status))
    return (*newest, *(tuple(row) for row in counts))
