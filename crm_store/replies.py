"""What a reply needs from the store: the lead's customer, their inbound touches, identities."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.tables import customers, identities, leads, touches
from leads.model import InboundTouch

_REPLYABLE = ("telegram", "whatsapp", "instagram", "sms", "email")


@dataclass(frozen=True, slots=True)
class ReplyContext:
    """The lead's customer, their inbound touches newest first, and their identities."""

    lead_id: int
    customer_id: int
    manager_id: int | None
    touches: list[InboundTouch]
    identities: list[tuple[str, str]]
    customer_name: str | None = None
    first_text: str = ""
    """The subject and text the lead opened with (its language picks an acknowledgement)."""


async def reply_context(conn: AsyncConnection, lead_id: int, limit: int = 20
                        ) -> ReplyContext | None:
    """Everything choosing a reply route reads; None when the lead does not exist."""
    lead = (await conn.execute(
        select(leads.c.customer_id, leads.c.manager_id, customers.c.name)
        .join(customers, customers.c.id == leads.c.customer_id).where(leads.c.id == lead_id)
    )).first()
    if lead is None:
        return None
    rows = await conn.execute(
        select(touches.c.channel, touches.c.external_id, touches.c.occurred_at,
               touches.c.subject, touches.c.details, touches.c.attribution,
               touches.c.identities)
        .where(touches.c.customer_id == lead.customer_id, touches.c.direction == "inbound",
               touches.c.channel.in_(_REPLYABLE))
        .order_by(touches.c.occurred_at.desc(), touches.c.id.desc()).limit(limit)
    )
    inbound = [
        InboundTouch(r.channel, r.external_id, r.occurred_at, r.subject, r.details or {},
                     r.attribution or {}, _phone(r.identities))
        for r in rows
    ]
    held = await conn.execute(select(identities.c.kind, identities.c.value)
                              .where(identities.c.customer_id == lead.customer_id)
                              .order_by(identities.c.id))
    first = (await conn.execute(select(touches.c.subject, touches.c.text)
                                .where(touches.c.lead_id == lead_id)
                                .order_by(touches.c.id).limit(1))).first()
    opening = " ".join(p for p in (first.subject, first.text) if p) if first else ""
    return ReplyContext(lead_id, lead.customer_id, lead.manager_id, inbound,
                        [(r.kind, r.value) for r in held], lead.name, opening[:2000])


def _phone(found: object) -> str | None:
    if not isinstance(found, list):
        return None
    return next((str(i["value"]) for i in found
                 if isinstance(i, dict) and i.get("kind") == "phone" and i.get("value")), None)
