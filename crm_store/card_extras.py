"""What the workspace shows beside the API's card: notes, manager names, routing histories."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.routing_tables import managers
from crm_store.tables import leads
from crm_store.workspace_tables import card_notes

NOTE_LIMIT = 4000


async def add_note(conn: AsyncConnection, customer_id: int, lead_id: int | None,
                   manager_id: int | None, text: str, now: datetime) -> int:
    """Keep a note on the card; its id."""
    return int(await conn.scalar(insert(card_notes).values(
        customer_id=customer_id, lead_id=lead_id, manager_id=manager_id,
        text=text[:NOTE_LIMIT], created_at=now).returning(card_notes.c.id)))


async def notes_of(conn: AsyncConnection, customer_id: int) -> list[dict[str, Any]]:
    """The card's notes, oldest first."""
    found = await conn.execute(select(card_notes).where(card_notes.c.customer_id == customer_id)
                               .order_by(card_notes.c.id))
    return [dict(row._mapping) for row in found]


async def manager_names(conn: AsyncConnection, ids: Iterable[int | None]) -> dict[int, str]:
    """Manager id → name, for the ids given."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    found = await conn.execute(select(managers.c.id, managers.c.name)
                               .where(managers.c.id.in_(wanted)))
    return {row.id: row.name for row in found}


async def extension_of(conn: AsyncConnection, manager_id: int) -> str | None:
    """The manager's phone extension, if they have one."""
    return await conn.scalar(select(managers.c.extension).where(managers.c.id == manager_id))


async def routings_of(conn: AsyncConnection, customer_id: int) -> dict[int, dict[str, Any]]:
    """Lead id → its routing record (rule, decision, offers), for the card's leads."""
    found = await conn.execute(select(leads.c.id, leads.c.routing)
                               .where(leads.c.customer_id == customer_id))
    return {row.id: row.routing or {} for row in found}
