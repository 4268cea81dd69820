"""`GET /api/calls/{touch_id}/recording`: a call's recording for the card's owner and admins."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from channels.base import error_response
from channels.telephony.recordings import Recordings
from crm_store import calls
from leadgate.http.keys import ENGINE, PRINCIPAL

routes = web.RouteTableDef()
ASTERISK: web.AppKey[dict[str, Any]] = web.AppKey("asterisk")
"""The `[asterisk]` section: where recordings are kept or served."""


def recording_url(touch_id: int) -> str:
    """Where the API serves a call touch's recording."""
    return f"/api/calls/{touch_id}/recording"


@routes.get("/api/calls/{touch_id}/recording")
async def call_recording(request: web.Request) -> web.StreamResponse:
    """Stream the recording (Range requests work), or redirect to the recordings server."""
    touch_id = request.match_info["touch_id"]
    if not touch_id.isascii() or not touch_id.isdigit() or len(touch_id) > 18:
        return error_response(404, "not_found", "no such call")
    async with request.app[ENGINE].connect() as conn:
        found = await calls.call_recording(conn, int(touch_id))
    principal = request[PRINCIPAL]
    if found is None or not (principal.is_admin or found[0] == principal.manager_id):
        return error_response(404, "not_found", "no recording of such a call")
    recordings = Recordings.from_toml(request.app[ASTERISK])
    link = recordings.url(found[1])
    if link is not None:
        raise web.HTTPFound(link)
    path = recordings.file(found[1])
    if path is None:
        return error_response(404, "not_found", "the recording file is not in recordings_dir")
    return web.FileResponse(path, headers={"Cache-Control": "private, max-age=3600"})
