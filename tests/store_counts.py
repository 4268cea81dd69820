"""Counting rows, for tests that prove nothing was written."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.tables import customers, identities, ignored_events, leads, merges, touches

_COUNTED = {
    "customers": customers,
    "identities": identities,
    "leads": leads,
    "touches": touches,
    "merges": merges,
    "ignored": ignored_events,
}


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    """How many rows each card table holds."""
    async with engine.connect() as conn:
        return {
            name: int(await conn.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in _COUNTED.items()
        }
