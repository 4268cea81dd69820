"""`POST /api/leads/{id}/reply` answers the customer; `GET` says whether and how it could."""

from __future__ import annotations

import json

from aiohttp import web

from channels.base import error_response
from leadgate.http.keys import PRINCIPAL
from leads.errors import ChannelUnavailable, InvalidEvent, StoreUnavailable
from routing.desk import LeadNotFound
from routing.replies import ReplyService

REPLIES = web.AppKey("replies", ReplyService)
routes = web.RouteTableDef()
_MAX_TEXT = 4096


@routes.get("/api/leads/{lead_id:\\d+}/reply")
async def can_reply(request: web.Request) -> web.Response:
    """Whether the lead's customer can be answered now, on which channel, or why not."""
    lead_id = int(request.match_info["lead_id"])
    refusal = await _not_visible(request, lead_id)
    if refusal is not None:
        return refusal
    option = await request.app[REPLIES].can_reply(lead_id)
    return web.json_response(option.as_json())


@routes.post("/api/leads/{lead_id:\\d+}/reply")
async def reply(request: web.Request) -> web.Response:
    """Send {"text"} on the channel the customer last wrote on; 422 when none can reach them."""
    lead_id = int(request.match_info["lead_id"])
    try:
        body = json.loads(await request.read() or b"{}")
    except (ValueError, UnicodeDecodeError):
        return error_response(400, "malformed", "the body must be JSON: {\"text\": ...}")
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text.strip() or len(text) > _MAX_TEXT:
        return error_response(422, "invalid", f"text must be 1 to {_MAX_TEXT} characters")
    refusal = await _not_visible(request, lead_id)
    if refusal is not None:
        return refusal
    principal = request[PRINCIPAL]
    manager = f"manager:{principal.manager_id}" if principal.manager_id else None
    try:
        sent = await request.app[REPLIES].reply(lead_id, text.strip(), manager)
    except InvalidEvent as err:
        return error_response(422, err.code, err.detail)
    except (ChannelUnavailable, StoreUnavailable) as err:
        return error_response(503, "unavailable", str(err))
    return web.json_response(sent, status=201)


async def _not_visible(request: web.Request, lead_id: int) -> web.Response | None:
    principal = request[PRINCIPAL]
    if REPLIES not in request.app:
        return error_response(503, "unavailable", "replies are not set up in this process")
    try:
        manager_id = await request.app[REPLIES].lead_manager(lead_id)
    except LeadNotFound:
        return error_response(404, "not_found", "no such lead")
    if not principal.is_admin and manager_id != principal.manager_id:
        return error_response(404, "not_found", "no such lead")
    return None
