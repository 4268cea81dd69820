"""Acting on a lead over HTTP: accept, pass on, close (manager tokens act as themselves)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from channels.base import error_response
from crm_store import screening
from crm_store.outbox import OutboxSignal
from crm_store.uow import SqlUnitOfWork
from leadgate.http.keys import ENGINE, PRINCIPAL
from leads.bans import bans_for_card
from leads.errors import LeadConflict, LeadNotFound
from leads.model import utcnow
from leads.statuses import CLOSED_STATUSES
from routing.access import Action, manager_may
from routing.desk import LeadDesk

routes = web.RouteTableDef()
DESK = web.AppKey("desk", LeadDesk)
"""Accepts, passes on and closes leads."""
OUTBOX = web.AppKey("outbox", OutboxSignal)
"""Rung after a lead changes: the relay publishes what the desk wrote."""


@routes.post("/api/leads/{lead_id:[0-9]{1,18}}/accept")
async def accept(request: web.Request) -> web.Response:
    """The manager takes the lead (an admin may name the manager in {"manager_id"})."""
    lead_id, body = int(request.match_info["lead_id"]), await _body(request)
    manager_id = _acting_manager(request, body)
    return await _act(request, lead_id, "accept", lambda desk: desk.accept(lead_id, manager_id))


@routes.post("/api/leads/{lead_id:[0-9]{1,18}}/pass")
async def pass_on(request: web.Request) -> web.Response:
    """The offered manager declines; the lead goes to the next candidate."""
    lead_id, body = int(request.match_info["lead_id"]), await _body(request)
    manager_id = _acting_manager(request, body)
    if manager_id is None:
        return error_response(422, "invalid", "name the manager passing the lead: manager_id")
    return await _act(request, lead_id, "pass", lambda desk: desk.pass_on(lead_id, manager_id))


@routes.post("/api/leads/{lead_id:[0-9]{1,18}}/close")
async def close(request: web.Request) -> web.Response:
    """Close the lead: {"status": "won" | "lost" | "spam"}; spam offers to ban the card's contacts
    (`"ban": true` bans them at once)."""
    lead_id, body = int(request.match_info["lead_id"]), await _body(request)
    status = body.get("status")
    if status not in CLOSED_STATUSES:
        return error_response(422, "invalid", f"status must be one of {list(CLOSED_STATUSES)}")
    principal = request[PRINCIPAL]
    manager_id = None if principal.is_admin else principal.manager_id
    response = await _act(request, lead_id, "close",
                          lambda desk: desk.close(lead_id, status, manager_id))
    if status != "spam" or response.status != 200:
        return response
    return web.json_response(await _offer_ban(request, lead_id, body.get("ban") is True))


async def _offer_ban(request: web.Request, lead_id: int, ban: bool) -> dict[str, Any]:
    """Spam: the card's contacts are offered for the ban list, or banned with `"ban": true`."""
    engine = request.app[ENGINE]
    async with engine.connect() as conn:
        offer = bans_for_card(await screening.lead_identities(conn, lead_id))
    answer: dict[str, Any] = {"lead_id": lead_id, "status": "spam",
                              "ban_offer": [{"kind": k, "value": v} for k, v in offer]}
    if ban:
        async with SqlUnitOfWork(engine) as uow:
            for key in offer:
                await uow.hygiene.add_ban(key, f"spam (lead {lead_id})", utcnow())
            await uow.commit()
        answer["banned"] = answer["ban_offer"]
    return answer


async def _act(request: web.Request, lead_id: int, kind: Action, action: Any) -> web.Response:
    principal = request[PRINCIPAL]
    if not principal.is_admin and not await manager_may(request.app[ENGINE], lead_id,
                                                         principal.manager_id, kind):
        return error_response(404, "not_found", f"there is no lead {lead_id}")
    try:
        result = await action(request.app[DESK])
    except LeadNotFound as err:
        return error_response(404, "not_found", str(err))
    except LeadConflict as err:
        return error_response(409, "conflict", str(err))
    request.app[OUTBOX].ring()
    return web.json_response(result)


def _acting_manager(request: web.Request, body: dict[str, Any]) -> int | None:
    principal = request[PRINCIPAL]
    if not principal.is_admin:
        return principal.manager_id
    raw = body.get("manager_id")
    if raw is not None and (not isinstance(raw, int) or isinstance(raw, bool)):
        raise _invalid("manager_id must be a number")
    return raw


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = json.loads(await request.read() or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise _invalid(f"the body is not JSON: {err}", 400, "malformed") from err
    if not isinstance(body, dict):
        raise _invalid("the body must be a JSON object", 400, "malformed")
    return body


def _invalid(detail: str, status: int = 422, code: str = "invalid") -> web.HTTPException:
    error = web.HTTPUnprocessableEntity if status == 422 else web.HTTPBadRequest
    return error(text=json.dumps({"error": code, "detail": detail}),
                 content_type="application/json")
