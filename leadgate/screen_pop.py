"""Screen pop: when a call rings a manager's extension, tell them whose call it is."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select

from channels.telephony.records import RingingCall
from crm_store.intake_store import OPEN_STATUSES
from crm_store.routing_tables import managers
from crm_store.tables import customers, identities, leads
from leadgate.bootstrap import Core
from routing.messages import manager_card

# Called with keywords: routing_key, payload, message_id (Core.publish writes the outbox).
Publish = Callable[..., Awaitable[None]]
_MANAGER = (managers.c.id, managers.c.login, managers.c.name, managers.c.email,
            managers.c.telegram_chat_id)


class ScreenPop:
    """Publishes `call.ringing.<manager_id>` with the caller's card summary."""

    def __init__(self, core: Core, publish: Publish) -> None:
        self._engine = core.engine
        self._publish = publish

    async def __call__(self, call: RingingCall) -> None:
        """Announce the ringing call to the manager whose extension rings (if one does)."""
        async with self._engine.connect() as conn:
            manager = (await conn.execute(
                select(*_MANAGER).where(managers.c.extension == call.extension))).first()
            if manager is None:
                return
            card = await _card(conn, call.caller)
        payload = {
            "event": "call.ringing",
            "manager": manager_card(manager),
            "call": {"linkedid": call.linkedid, "caller": call.caller,
                     "caller_name": call.caller_name, "did": call.did,
                     "extension": call.extension},
            "lead_id": card.get("open_lead_id") if card else None,
            "card": card or {"phones": [call.caller], "name": call.caller_name},
        }
        await self._publish(routing_key=f"call.ringing.{manager.id}", payload=payload,
                            message_id=f"ringing:{call.linkedid}:{call.extension}")


async def _card(conn: Any, phone: str) -> dict[str, Any] | None:
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
