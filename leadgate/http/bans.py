"""The ban list and the quarantine over HTTP (admin tokens only)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from channels.base import error_response
from crm_store import screening
from crm_store.intake_writer import IntakeWriter
from crm_store.uow import SqlUnitOfWork
from leadgate.http.duplicates import page
from leadgate.http.keys import DEFAULT_REGION, ENGINE, PRINCIPAL
from leads.bans import normalize_ban
from leads.clean import clean_text
from leads.errors import InvalidEvent, StoreUnavailable
from leads.model import utcnow

routes = web.RouteTableDef()
INTAKE = web.AppKey("intake", IntakeWriter)
"""Where a released quarantined event goes through intake again."""


@web.middleware
async def admin_only(request: web.Request, handler: Any) -> web.StreamResponse:
    """Bans and quarantine are for admins: a manager token gets 403."""
    if request.path.startswith(("/api/bans", "/api/quarantine")) and not request[
        PRINCIPAL
    ].is_admin:
        return error_response(403, "forbidden", "only an admin token manages bans")
    return await handler(request)


@routes.get("/api/bans")
async def list_bans(request: web.Request) -> web.Response:
    """Every ban."""
    async with request.app[ENGINE].connect() as conn:
        found = await screening.list_bans(conn)
    return web.json_response({"bans": found}, dumps=_dumps)


@routes.post("/api/bans")
async def add_ban(request: web.Request) -> web.Response:
    """`{"kind", "value", "reason"?, "region"?}` → 201 with the ban; 422 for a wrong value."""
    try:
        body = json.loads(await request.read() or b"{}")
    except (ValueError, UnicodeDecodeError):
        return error_response(400, "malformed", "the body must be JSON")
    if not isinstance(body, dict) or not all(
        isinstance(body.get(k), str) for k in ("kind", "value")
    ):
        return error_response(422, "invalid", 'give {"kind": ..., "value": ...}')
    reason = clean_text(body["reason"], 500) if isinstance(body.get("reason"), str) else None
    try:
        region = body.get("region") if isinstance(body.get("region"), str) else None
        key = normalize_ban(body["kind"], body["value"], region or request.app[DEFAULT_REGION])
    except ValueError as err:
        return error_response(422, "invalid", str(err))
    async with SqlUnitOfWork(request.app[ENGINE]) as uow:
        ban_id = await uow.hygiene.add_ban(key, reason, utcnow())
        await uow.commit()
    return web.json_response({"id": ban_id, "kind": key[0], "value": key[1], "reason": reason},
                             status=201)


@routes.delete(r"/api/bans/{ban_id:[0-9]{1,18}}")
async def remove_ban(request: web.Request) -> web.Response:
    """Lift a ban."""
    async with SqlUnitOfWork(request.app[ENGINE]) as uow:
        removed = await uow.hygiene.remove_ban_by_id(int(request.match_info["ban_id"]))
        await uow.commit()
    if not removed:
        return error_response(404, "not_found", "no such ban")
    return web.json_response({"id": int(request.match_info["ban_id"]), "removed": True})


@routes.get("/api/quarantine")
async def list_quarantine(request: web.Request) -> web.Response:
    """Events of banned contacts, newest first; `?released=true|false`, `&limit=&offset=`."""
    released = {"true": True, "false": False}.get(request.query.get("released", ""))
    limit, offset = page(request)
    async with request.app[ENGINE].connect() as conn:
        found = await screening.list_quarantine(conn, released, limit, offset)
    return web.json_response({"quarantine": found}, dumps=_dumps)


@routes.post(r"/api/quarantine/{quarantine_id:[0-9]{1,18}}/release")
async def release(request: web.Request) -> web.Response:
    """Run the kept event through intake as if it had just arrived (the ban stays)."""
    kept = int(request.match_info["quarantine_id"])
    async with request.app[ENGINE].connect() as conn:
        event = await screening.quarantined_event(conn, kept)
    if event is None:
        return error_response(404, "not_found", "no such quarantined event")
    try:
        result = await request.app[INTAKE].release(event)
    except InvalidEvent as err:
        return error_response(422, err.code, err.detail)
    except StoreUnavailable:
        return error_response(503, "store_unavailable", "the store did not take the write")
    outcome = {"lead_id": result.lead_id, "customer_id": result.customer_id,
               "touch_id": result.touch_id, "deduplicated": result.deduplicated}
    async with SqlUnitOfWork(request.app[ENGINE]) as uow:
        await uow.hygiene.mark_released(kept, outcome, utcnow())
        await uow.commit()
    return web.json_response({"quarantine_id": kept, **outcome})


def _dumps(value: Any) -> str:
    return json.dumps(value, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v))
