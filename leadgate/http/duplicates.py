"""Look-alike cards over HTTP: the list of suggested pairs, and dismissing a suggestion."""

from __future__ import annotations

from aiohttp import web

from channels.base import error_response
from crm_store import duplicates
from crm_store.uow import SqlUnitOfWork
from leadgate.http.keys import ENGINE, PRINCIPAL
from leads.model import utcnow

routes = web.RouteTableDef()
_MAX_PAGE = 500


def page(request: web.Request) -> tuple[int, int]:
    """`?limit=&offset=` (100 and 0 by default, at most 500 a page); 400 when not numbers."""
    raw_limit, raw_offset = request.query.get("limit", "100"), request.query.get("offset", "0")
    if not all(raw.isascii() and raw.isdigit() and len(raw) <= 18
               for raw in (raw_limit, raw_offset)):
        raise web.HTTPBadRequest(
            text='{"error": "malformed", "detail": "limit and offset must be whole numbers"}',
            content_type="application/json",
        )
    return min(int(raw_limit), _MAX_PAGE), int(raw_offset)


@routes.get("/api/duplicates")
async def list_duplicates(request: web.Request) -> web.Response:
    """Suggested pairs of cards that may be one person, newest first (admin only)."""
    if not request[PRINCIPAL].is_admin:
        return error_response(403, "forbidden", "only an admin token lists every card")
    limit, offset = page(request)
    async with request.app[ENGINE].connect() as conn:
        found = await duplicates.duplicate_list(conn, limit, offset)
    return web.json_response({"duplicates": found, "limit": limit, "offset": offset})


_ID = "[0-9]{1,18}"


@routes.post(f"/api/customers/{{customer_id:{_ID}}}/duplicates/{{other_id:{_ID}}}/dismiss")
async def dismiss(request: web.Request) -> web.Response:
    """Say two cards are not one person: the pair is never suggested again (admin only)."""
    if not request[PRINCIPAL].is_admin:
        return error_response(403, "forbidden", "only an admin token dismisses suggestions")
    async with SqlUnitOfWork(request.app[ENGINE]) as uow:
        ids = [await uow.hygiene.surviving_customer_id(int(request.match_info[name]))
               for name in ("customer_id", "other_id")]
        if None in ids:
            return error_response(404, "not_found", "no such customer")
        customer_id, other_id = (int(i) for i in ids if i is not None)
        if customer_id == other_id:
            return error_response(409, "conflict", "these are one card already")
        await uow.hygiene.dismiss_duplicate(customer_id, other_id, utcnow())
        await uow.commit()
    return web.json_response({"customer_id": customer_id, "other_id": other_id,
                              "dismissed": True})
