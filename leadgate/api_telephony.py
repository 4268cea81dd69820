"""Telephony endpoints: who should answer a caller (for the dialplan), and click-to-call."""

from __future__ import annotations

from typing import Protocol

from aiohttp import web
from sqlalchemy import select

from crm_store.routing_tables import managers
from crm_store.tables import customers, identities
from leadgate.app_keys import CORE
from leads.normalize import normalize_phone

routes = web.RouteTableDef()


class Originator(Protocol):
    """Starts a call from a manager's extension to a customer (the AMI channel)."""

    async def originate(self, extension: str, phone: str) -> str: ...


@routes.get("/api/route/call")
async def owner_extension(request: web.Request) -> web.Response:
    """The extension of the manager who owns the caller's card, as plain text ('' if none).

    Made for the dialplan: `${CURL(.../api/route/call?caller=${CALLERID(num)})}`.
    """
    core = request.app[CORE]
    caller = request.query.get("caller", "")
    region = request.query.get("region") or core.policy.default_region
    identity = normalize_phone(caller, region)
    if identity is None:
        return web.Response(text="", content_type="text/plain")
    query = (
        select(managers.c.extension, managers.c.available)
        .select_from(identities)
        .join(customers, customers.c.id == identities.c.customer_id)
        .join(managers, managers.c.id == customers.c.owner_manager_id)
        .where(identities.c.kind == "phone", identities.c.value == identity.value)
    )
    async with core.engine.connect() as conn:
        row = (await conn.execute(query)).first()
    extension = row.extension if row is not None and row.available and row.extension else ""
    return web.Response(text=extension, content_type="text/plain")
