"""A fingerprint of the leads, read by polling: what changed that writes no outbox message.

The web inbox is told about changes made by any process by polling (SQLite has no LISTEN, and
PostgreSQL's NOTIFY would need a connection of its own per process): outbox rows, read in
commit order (crm_store.integration_events), are the very messages the notifiers get; the
fingerprint catches what writes no message (an accepted or closed lead, a new touch, a note).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.tables import leads, touches
from crm_store.workspace_tables import card_notes
from leads.statuses import OPEN_STATUSES


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
