"""What telephony asks the store: who sits at an extension, whose card a caller is, who owns it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.routing_tables import managers
from crm_store.tables import customers, identities, leads, touches
from leads.statuses import OPEN_STATUSES

_MANAGER = (managers.c.id, managers.c.login, managers.c.name, managers.c.email,
            managers.c.telegram_chat_id)
_OWNER_OF_PHONE = (
    select(managers.c.extension, managers.c.available, managers.c.hours)
    .select_from(identities)
    .join(customers, customers.c.id == identities.c.customer_id)
    .join(managers, managers.c.id == customers.c.owner_manager_id)
)


async def manager_at_extension(conn: AsyncConnection, extension: str) -> Any | None:
    """The manager whose phone has this extension (id, login, name, e-mail, Telegram chat)."""
    return (await conn.execute(select(*_MANAGER).where(managers.c.extension == extension))).first()


async def manager_id_at_extension(conn: AsyncConnection, extension: str) -> int | None:
    """The id of the manager whose phone has this extension."""
    found = await conn.scalar(select(managers.c.id).where(managers.c.extension == extension))
    return int(found) if found is not None else None


async def manager_phone(conn: AsyncConnection, manager_id: int) -> tuple[bool, str | None]:
    """Whether the manager exists, and their extension (None when they have no phone)."""
    row = (await conn.execute(
        select(managers.c.extension).where(managers.c.id == manager_id))).first()
    return (False, None) if row is None else (True, row.extension)


async def owner_extension(
    conn: AsyncConnection, phone: str
) -> tuple[str | None, bool, str | None]:
    """The extension of the manager owning the card with this E.164 phone, whether they are
    available, and their working hours (as written)."""
    row = (await conn.execute(_OWNER_OF_PHONE.where(
        identities.c.kind == "phone", identities.c.value == phone))).first()
    return (None, False, None) if row is None else (row.extension, bool(row.available), row.hours)


async def caller_card(conn: AsyncConnection, phone: str) -> dict[str, Any] | None:
    """The card summary of the customer with this E.164 phone: name, owner, open lead."""
    row = (await conn.execute(
        select(customers.c.id, customers.c.name, customers.c.owner_manager_id)
        .join(identities, identities.c.customer_id == customers.c.id)
        .where(identities.c.kind == "phone", identities.c.value == phone)
    )).first()
    if row is None:
        return None
    open_lead = await conn.scalar(
        select(leads.c.id).where(leads.c.customer_id == row.id, leads.c.status.in_(OPEN_STATUSES))
        .order_by(leads.c.last_touch_at.desc()).limit(1))
    owner = None
    if row.owner_manager_id is not None:
        owner = await conn.scalar(select(managers.c.name).where(
            managers.c.id == row.owner_manager_id))
    return {"customer_id": row.id, "name": row.name, "phones": [phone],
            "owner_manager_id": row.owner_manager_id, "owner": owner, "open_lead_id": open_lead}


async def call_recording(conn: AsyncConnection, touch_id: int) -> tuple[int | None, str] | None:
    """The owner of the card a call touch is on and the touch's recording (None: no such call)."""
    row = (await conn.execute(
        select(customers.c.owner_manager_id, touches.c.details)
        .join(customers, customers.c.id == touches.c.customer_id)
        .where(touches.c.id == touch_id, touches.c.channel == "call")
    )).first()
    if row is None:
        return None
    recording = (row.details or {}).get("recording")
    if not isinstance(recording, str) or not recording:
        return None
    return row.owner_manager_id, recording
