"""What happened to leads since a cursor: new leads, routing messages, accepts and closes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.routing_tables import outbox
from crm_store.tables import leads

_LEAD = (leads.c.id, leads.c.customer_id, leads.c.status, leads.c.channel, leads.c.attribution,
         leads.c.created_at, leads.c.manager_id, leads.c.team, leads.c.accepted_at,
         leads.c.closed_at)


def _plain(row: Any) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v)
            for k, v in row._mapping.items()}


async def new_leads(conn: AsyncConnection, after_id: int, limit: int = 500
                    ) -> list[dict[str, Any]]:
    """Leads with an id above `after_id`, in id order."""
    rows = await conn.execute(select(*_LEAD).where(leads.c.id > after_id)
                              .order_by(leads.c.id).limit(limit))
    return [_plain(r) for r in rows]


async def outbox_messages(conn: AsyncConnection, after_id: int, limit: int = 500
                          ) -> list[dict[str, Any]]:
    """Routing messages written after outbox row `after_id`, sent or not, in order."""
    rows = await conn.execute(
        select(outbox.c.id, outbox.c.message_id, outbox.c.routing_key, outbox.c.payload)
        .where(outbox.c.id > after_id).order_by(outbox.c.id).limit(limit)
    )
    return [dict(r._mapping) for r in rows]


async def leads_changed(conn: AsyncConnection, column: str, since: datetime, limit: int = 500
                        ) -> list[dict[str, Any]]:
    """Leads whose `accepted_at` or `closed_at` is at or after `since`, oldest change first."""
    stamp = leads.c[column]
    rows = await conn.execute(select(*_LEAD).where(stamp >= since)
                              .order_by(stamp, leads.c.id).limit(limit))
    return [_plain(r) for r in rows]


async def first_ids_since(conn: AsyncConnection, since: datetime) -> tuple[int, int]:
    """The last lead id and outbox id made before `since`: where a first scan starts."""
    lead = await conn.scalar(select(func.min(leads.c.id)).where(leads.c.created_at >= since))
    last_lead = await conn.scalar(select(func.max(leads.c.id)))
    message = await conn.scalar(select(func.min(outbox.c.id)).where(outbox.c.created_at >= since))
    last_message = await conn.scalar(select(func.max(outbox.c.id)))
    return (int(lead) - 1 if lead is not None else int(last_lead or 0),
            int(message) - 1 if message is not None else int(last_message or 0))
