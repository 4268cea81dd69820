"""Refused requests kept for a while, and the stored touches replay reads back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.journal_tables import refusals
from crm_store.tables import touches

_PRUNE_EVERY = 100


async def keep_refusal(conn: AsyncConnection, row: dict[str, Any], keep_days: int,
                       keep_rows: int, now: datetime) -> int:
    """Journal one refusal; now and then drop what is older or beyond the bound."""
    kept = int(await conn.scalar(insert(refusals).values({**row, "created_at": now})
                                 .returning(refusals.c.id)))
    if kept % _PRUNE_EVERY == 0:
        await conn.execute(delete(refusals).where(
            (refusals.c.created_at < now - timedelta(days=keep_days))
            | (refusals.c.id <= kept - keep_rows)))
    return kept


async def refusal_count(conn: AsyncConnection) -> int:
    """How many refusals are kept."""
    return int(await conn.scalar(select(func.count()).select_from(refusals)) or 0)


async def refusals_since(conn: AsyncConnection, since: datetime, channel: str | None
                         ) -> list[dict[str, Any]]:
    """Kept refusals from `since` on, oldest first."""
    query = select(refusals).where(refusals.c.created_at >= since).order_by(refusals.c.id)
    if channel:
        query = query.where(refusals.c.channel == channel)
    return [dict(row._mapping) for row in await conn.execute(query)]


async def touches_since(conn: AsyncConnection, since: datetime, channel: str | None,
                        batch: int = 500) -> AsyncIterator[dict[str, Any]]:
    """Stored inbound touches from `since` on, oldest first, read in batches."""
    last = 0
    while True:
        query = (select(touches).where(touches.c.created_at >= since, touches.c.id > last)
                 .order_by(touches.c.id).limit(batch))
        if channel:
            query = query.where(touches.c.channel == channel)
        rows = [dict(row._mapping) for row in await conn.execute(query)]
        for row in rows:
            yield row
        if len(rows) < batch:
            return
        last = rows[-1]["id"]
