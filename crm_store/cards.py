"""Read side: the customer card, lead lists and lead details for the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store import duplicates
from crm_store.crm_export_store import crm_ids
from crm_store.tables import customers, identities, leads, merges, touches
from leads.statuses import OPEN_STATUSES

_LEAD_COLUMNS = (
    leads.c.id,
    leads.c.customer_id,
    leads.c.status,
    leads.c.channel,
    leads.c.attribution,
    leads.c.created_at,
    leads.c.last_touch_at,
    leads.c.manager_id,
    leads.c.team,
    leads.c.callback_due_at,
    leads.c.callback_done_at,
    leads.c.accepted_at,
    leads.c.contacted_at,
    leads.c.contacted_by,
    leads.c.closed_at,
)
_TOUCH_COLUMNS = (
    touches.c.id,
    touches.c.lead_id,
    touches.c.channel,
    touches.c.external_id,
    touches.c.direction,
    touches.c.occurred_at,
    touches.c.name,
    touches.c.subject,
    touches.c.text,
    touches.c.attribution,
    touches.c.details,
    touches.c.identities,
    touches.c.raw_ref,
    func.length(touches.c.raw).label("raw_bytes"),
)


def _plain(row: Any) -> dict[str, Any]:
    return {
        key: (value.isoformat() if hasattr(value, "isoformat") else value)
        for key, value in row._mapping.items()
    }


async def surviving_customer_id(conn: AsyncConnection, customer_id: int) -> int | None:
    """The id of the card `customer_id` lives on now (itself, or the card it was merged into)."""
    row = (
        await conn.execute(
            select(customers.c.id, customers.c.merged_into_id).where(customers.c.id == customer_id)
        )
    ).first()
    if row is None:
        return None
    return int(row.merged_into_id or row.id)


async def customer_card(conn: AsyncConnection, customer_id: int) -> dict[str, Any] | None:
    """The whole card: identities, owner, leads, timeline, look-alike cards and merges."""
    row = (await conn.execute(select(customers).where(customers.c.id == customer_id))).first()
    if row is None:
        return None
    card = _plain(row)
    card["identities"] = [
        _plain(r)
        for r in await conn.execute(
            select(
                identities.c.kind, identities.c.value, identities.c.info, identities.c.created_at
            )
            .where(identities.c.customer_id == customer_id)
            .order_by(identities.c.id)
        )
    ]
    lead_rows = await conn.execute(
        select(*_LEAD_COLUMNS).where(leads.c.customer_id == customer_id).order_by(leads.c.id)
    )
    card["leads"] = [_plain(r) for r in lead_rows]
    card["timeline"] = [
        _plain(r)
        for r in await conn.execute(
            select(*_TOUCH_COLUMNS)
            .where(touches.c.customer_id == customer_id)
            .order_by(touches.c.occurred_at, touches.c.id)
        )
    ]
    card["possible_duplicates"] = await duplicates.possible_duplicates(conn, customer_id)
    card["merges"] = [
        _plain(r)
        for r in await conn.execute(
            select(merges)
            .where(merges.c.into_customer_id == customer_id, merges.c.undone_at.is_(None))
            .order_by(merges.c.id)
        )
    ]
    card["crm"] = await crm_ids(conn, [lead["id"] for lead in card["leads"]])
    return card


async def customer_by_identity(conn: AsyncConnection, kind: str, value: str) -> int | None:
    """The customer holding identity (kind, value)."""
    return await conn.scalar(
        select(identities.c.customer_id).where(
            identities.c.kind == kind, identities.c.value == value
        )
    )


def lead_query(
    status: str | None, manager_id: int | None, channel: str | None,
    callback_due_by: datetime | None = None,
) -> Select[Any]:
    """Leads filtered by status, manager and channel, newest first; or callbacks due by then."""
    query = select(*_LEAD_COLUMNS).order_by(leads.c.id.desc())
    if callback_due_by is not None:
        query = query.where(
            leads.c.callback_due_at <= callback_due_by, leads.c.callback_done_at.is_(None),
            leads.c.status.in_(OPEN_STATUSES),
        ).order_by(None).order_by(leads.c.callback_due_at, leads.c.id)
    if status:
        query = query.where(leads.c.status == status)
    if manager_id is not None:
        query = query.where(leads.c.manager_id == manager_id)
    if channel:
        query = query.where(leads.c.channel == channel)
    return query


async def list_leads(
    conn: AsyncConnection, query: Select[Any], limit: int, offset: int
) -> list[dict[str, Any]]:
    """One page of leads."""
    return [_plain(r) for r in await conn.execute(query.limit(limit).offset(offset))]


async def lead_detail(conn: AsyncConnection, lead_id: int) -> dict[str, Any] | None:
    """A lead with its routing decision and its touches."""
    row = (
        await conn.execute(select(*_LEAD_COLUMNS, leads.c.routing).where(leads.c.id == lead_id))
    ).first()
    if row is None:
        return None
    lead = _plain(row)
    lead["touches"] = [
        _plain(r)
        for r in await conn.execute(
            select(*_TOUCH_COLUMNS).where(touches.c.lead_id == lead_id).order_by(touches.c.id)
        )
    ]
    lead["crm"] = await crm_ids(conn, [lead_id])
    return lead
