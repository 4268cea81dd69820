"""GET /app/events: the server-sent event stream an open inbox or card listens to."""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web

from workspace.keys import DEPS, FEED
from workspace.live import Change
from workspace.viewer import Viewer, viewer

routes = web.RouteTableDef()
_KEEPALIVE_SECONDS = 15.0


def concerns(change: Change, me: Viewer) -> bool:
    """Whether the viewer is told about the change (only what they may see)."""
    if me.is_admin or change.event == "changed":
        return True
    if change.manager_id is not None:
        return change.manager_id == me.manager_id
    return change.event == "lead.unassigned" and change.team in me.teams


@routes.get("/events")
async def events(request: web.Request) -> web.StreamResponse:
    """Changes the viewer may see, as they happen; a comment line keeps proxies from timing out."""
    async with request.app[DEPS].engine.connect() as conn:
        me = await viewer(request, conn)
    response = web.StreamResponse(headers={
        "Content-Type": "text/event-stream", "Cache-Control": "no-store",
        "X-Accel-Buffering": "no"})
    await response.prepare(request)
    await response.write(b"retry: 2000\n: connected\n\n")
    feed = request.app[FEED]
    queue = feed.listen()
    try:
        while True:
            try:
                change = await asyncio.wait_for(queue.get(), _KEEPALIVE_SECONDS)
            except TimeoutError:
                await response.write(b": keepalive\n\n")
                continue
            if change is None:
                break
            if concerns(change, me):
                await response.write(change.as_sse())
    except ConnectionResetError:
        return response
    finally:
        feed.leave(queue)
    with contextlib.suppress(ConnectionResetError):
        await response.write_eof()
    return response
