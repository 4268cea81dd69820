"""Telephony endpoints: who should answer a caller (for the dialplan), and click-to-call."""

from __future__ import annotations

import json
from typing import Any, Protocol

from aiohttp import web

from channels.base import error_response
from leadgate.http.keys import DEFAULT_REGION, ENGINE, PRINCIPAL
from leads.errors import ChannelUnavailable
from leads.model import utcnow
from leads.normalize import normalize_phone
from routing import calls

routes = web.RouteTableDef()


class Originator(Protocol):
    """Starts a call from a manager's extension to a customer (the AMI channel)."""

    async def originate(self, extension: str, phone: str) -> str: ...


ORIGINATOR = web.AppKey("originator", Originator)


@routes.post("/api/calls")
async def click_to_call(request: web.Request) -> web.Response:
    """`{manager_id, phone}` → the manager's phone rings, then the customer is dialed (202)."""
    body = await _json_object(request)
    principal = request[PRINCIPAL]
    manager_id = body.get("manager_id", None if principal.is_admin else principal.manager_id)
    if not isinstance(manager_id, int) or isinstance(manager_id, bool):
        return error_response(422, "invalid", "manager_id must be a manager's number")
    if not principal.is_admin and manager_id != principal.manager_id:
        return error_response(403, "forbidden", "a manager token calls from its own phone only")
    phone = body.get("phone")
    if not isinstance(phone, str) or not phone.strip():
        return error_response(422, "invalid", "phone must be the number to call")
    originator = request.app.get(ORIGINATOR)
    if originator is None:
        return error_response(503, "telephony_unavailable", "no [asterisk] is configured")
    exists, extension = await calls.manager_phone(request.app[ENGINE], manager_id)
    if not exists:
        return error_response(404, "not_found", f"there is no manager {manager_id}")
    if not extension:
        return error_response(422, "invalid", "the manager has no phone extension")
    try:
        call_id = await originator.originate(extension, phone)
    except ValueError as err:
        return error_response(422, "invalid", str(err))
    except ChannelUnavailable as err:
        return error_response(503, "telephony_unavailable", str(err))
    return web.json_response({"call_id": call_id, "extension": extension}, status=202)


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.read() or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise web.HTTPBadRequest(text=json.dumps({"error": "malformed", "detail": str(err)}),
                                 content_type="application/json") from err
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text=json.dumps(
            {"error": "malformed", "detail": "the body must be a JSON object"}),
            content_type="application/json")
    return body


@routes.get("/api/route/call")
async def owner_extension(request: web.Request) -> web.Response:
    """The extension of the manager who owns the caller's card, as plain text ('' if none).

    Made for the dialplan: `${CURL(.../api/route/call?caller=${CALLERID(num)})}`.
    """
    caller = request.query.get("caller", "")
    region = request.query.get("region") or request.app[DEFAULT_REGION]
    identity = normalize_phone(caller, region)
    if identity is None:
        return web.Response(text="", content_type="text/plain")
    extension = await calls.owner_extension(request.app[ENGINE], identity.value, utcnow())
    return web.Response(text=extension, content_type="text/plain")
