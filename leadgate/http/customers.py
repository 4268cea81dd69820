"""The read API (/api/*): customer cards and leads, behind bearer tokens."""

from __future__ import annotations

import json

from aiohttp import web

from channels.base import error_response
from crm_store import cards
from crm_store.visibility import may_see_card, may_see_lead, teams_of
from leadgate.http.keys import DEFAULT_REGION, ENGINE, PRINCIPAL
from leadgate.http.recordings import recording_url
from leads.model import utcnow
from leads.normalize import normalize_email, normalize_phone

routes = web.RouteTableDef()
_MAX_PAGE = 500


def _int_param(request: web.Request, name: str, source: str = "match") -> int:
    raw = request.match_info.get(name) if source == "match" else request.query.get(name)
    # ASCII digits only ('²' is a digit to str.isdigit) and small enough for a BIGINT.
    if raw is None or not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        body = {"error": "malformed", "detail": f"{name} must be a whole number below 10^18"}
        raise web.HTTPBadRequest(text=json.dumps(body), content_type="application/json")
    return int(raw)


async def _visible_card(request: web.Request, customer_id: int) -> web.Response:
    principal = request[PRINCIPAL]
    async with request.app[ENGINE].connect() as conn:
        surviving = await cards.surviving_customer_id(conn, customer_id)
        card = await cards.customer_card(conn, surviving) if surviving is not None else None
        teams = await teams_of(conn, principal)
    if card is None or not may_see_card(principal, card, teams):
        return error_response(404, "not_found", "no such customer")
    if surviving != customer_id:
        card["requested_id"] = customer_id
    for touch in card["timeline"]:
        if touch["channel"] == "call" and (touch.get("details") or {}).get("recording"):
            touch["recording_url"] = recording_url(touch["id"])
    return web.json_response(card)


@routes.get("/api/customers/{customer_id}")
async def get_customer(request: web.Request) -> web.Response:
    """The customer card."""
    return await _visible_card(request, _int_param(request, "customer_id"))


@routes.get("/api/customers")
async def find_customer(request: web.Request) -> web.Response:
    """Look a customer up by ?phone= (any written form) or ?email=."""
    phone, email = request.query.get("phone"), request.query.get("email")
    region = request.query.get("region") or request.app[DEFAULT_REGION]
    if phone:
        identity = normalize_phone(phone, region)
    elif email:
        identity = normalize_email(email)
    else:
        return error_response(400, "malformed", "give ?phone= or ?email=")
    if identity is None:
        return error_response(400, "malformed", "that is not a valid phone number or e-mail")
    async with request.app[ENGINE].connect() as conn:
        customer_id = await cards.customer_by_identity(conn, identity.kind, identity.value)
    if customer_id is None:
        return error_response(404, "not_found", "no customer has this identity")
    return await _visible_card(request, customer_id)


@routes.get("/api/leads")
async def list_leads(request: web.Request) -> web.Response:
    """Leads, newest first, filtered by ?status=&manager_id=&channel=; &limit=&offset= page.

    `?callback=due` lists instead the open leads whose callback is due, soonest due first.
    """
    principal = request[PRINCIPAL]
    manager_id = (
        _int_param(request, "manager_id", "query") if "manager_id" in request.query else None
    )
    if not principal.is_admin:
        manager_id = principal.manager_id
    limit = (
        min(_int_param(request, "limit", "query"), _MAX_PAGE) if "limit" in request.query else 100
    )
    offset = _int_param(request, "offset", "query") if "offset" in request.query else 0
    callback = request.query.get("callback")
    if callback not in (None, "due"):
        return error_response(400, "malformed", "callback may only be 'due'")
    query = cards.lead_query(request.query.get("status"), manager_id, request.query.get("channel"),
                             utcnow() if callback == "due" else None)
    async with request.app[ENGINE].connect() as conn:
        page = await cards.list_leads(conn, query, limit, offset)
    return web.json_response({"leads": page, "limit": limit, "offset": offset})


@routes.get("/api/leads/{lead_id}")
async def get_lead(request: web.Request) -> web.Response:
    """A lead with its routing decision and touches (a manager: theirs, or in their queue)."""
    principal = request[PRINCIPAL]
    async with request.app[ENGINE].connect() as conn:
        lead = await cards.lead_detail(conn, _int_param(request, "lead_id"))
        teams = await teams_of(conn, principal)
    if lead is None or not may_see_lead(principal, lead, teams):
        return error_response(404, "not_found", "no such lead")
    return web.json_response(lead)
