"""Merging two cards by hand, and undoing any merge (admin tokens only)."""

from __future__ import annotations

import json

from aiohttp import web

from channels.base import error_response
from crm_store.uow import SqlUnitOfWork
from leadgate.http.keys import ENGINE, PRINCIPAL
from leads.errors import MergeRefused
from leads.model import utcnow

routes = web.RouteTableDef()


@routes.post(r"/api/customers/{customer_id:[0-9]{1,18}}/merge")
async def merge(request: web.Request) -> web.Response:
    """`{"from": other_id}`: the other card moves onto this one; the merge can be undone."""
    if not request[PRINCIPAL].is_admin:
        return error_response(403, "forbidden", "only an admin token merges cards")
    try:
        body = json.loads(await request.read() or b"{}")
    except (ValueError, UnicodeDecodeError):
        return error_response(400, "malformed", "the body must be JSON")
    other = body.get("from") if isinstance(body, dict) else None
    if not isinstance(other, int) or isinstance(other, bool) or not 0 <= other < 10**18:
        return error_response(422, "invalid", 'name the card to merge in: {"from": id}')
    into = int(request.match_info["customer_id"])
    try:
        async with SqlUnitOfWork(request.app[ENGINE]) as uow:
            merge_id = await uow.hygiene.merge_by_hand(into, other, "api:admin", utcnow())
            await uow.commit()
    except LookupError as err:
        return error_response(404, "not_found", str(err))
    except MergeRefused as err:
        return error_response(409, "conflict", str(err))
    return web.json_response({"merge_id": merge_id, "customer_id": into, "from": other})


@routes.post(r"/api/merges/{merge_id:[0-9]{1,18}}/undo")
async def undo(request: web.Request) -> web.Response:
    """Put both cards of a merge back exactly as they were; 409 when a later merge built on it."""
    if not request[PRINCIPAL].is_admin:
        return error_response(403, "forbidden", "only an admin token undoes merges")
    try:
        async with SqlUnitOfWork(request.app[ENGINE]) as uow:
            undone = await uow.hygiene.undo_merge(int(request.match_info["merge_id"]), utcnow())
            await uow.commit()
    except LookupError as err:
        return error_response(404, "not_found", str(err))
    except MergeRefused as err:
        return error_response(409, "conflict", str(err))
    return web.json_response(undone)
