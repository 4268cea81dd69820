"""Acknowledgements: at most one per lead, claimed in the store before it is sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.integration_tables import acknowledgements


async def claim(conn: AsyncConnection, lead_id: int, now: datetime) -> bool:
    """True for the one caller that may acknowledge this lead; False ever after."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    result = await conn.execute(
        dialect.insert(acknowledgements).on_conflict_do_nothing(),
        {"lead_id": lead_id, "state": "sending", "created_at": now},
    )
    return bool(result.rowcount)


async def record(conn: AsyncConnection, lead_id: int, state: str, channel: str | None,
                 detail: str | None = None) -> None:
    """How it went: `sent` (on `channel`), `unreachable` or `failed`, with the reason."""
    await conn.execute(update(acknowledgements).where(acknowledgements.c.lead_id == lead_id)
                       .values(state=state, channel=channel,
                               detail=detail[:300] if detail else None))
