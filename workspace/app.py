"""The workspace as an aiohttp sub-application, mounted by the composition root at /app/."""

from __future__ import annotations

from functools import cache
from importlib import resources

from aiohttp import web

from workspace import actions, card_pages, events, inbox, login, pages, reports_page
from workspace.deps import WorkspaceDeps
from workspace.keys import DEPS, FEED, TEMPLATES
from workspace.live import LiveFeed
from workspace.sessions import guard


def build_workspace(deps: WorkspaceDeps) -> web.Application:
    """The workspace app: pages, actions, the event stream and the static files."""
    app = web.Application(middlewares=[guard])
    app[DEPS] = deps
    app[TEMPLATES] = pages.environment()
    app[FEED] = LiveFeed(deps.engine, deps.live_poll_seconds)
    for table in (login.routes, inbox.routes, card_pages.routes, actions.routes, events.routes,
                  reports_page.routes):
        app.add_routes(table)
    app.router.add_get("/static/{name}", static_file)
    app.on_shutdown.append(_end_streams)
    return app


_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}


@cache
def _static(name: str) -> tuple[bytes, str] | None:
    if "/" in name or not name.endswith(tuple(_TYPES)):
        return None
    found = resources.files("workspace").joinpath("static", name)
    return (found.read_bytes(), _TYPES[name[name.rindex("."):]]) if found.is_file() else None


async def static_file(request: web.Request) -> web.Response:
    """The workspace's stylesheet, script and icon (nothing is loaded from elsewhere)."""
    found = _static(request.match_info["name"])
    if found is None:
        raise web.HTTPNotFound()
    body, content_type = found
    return web.Response(body=body, content_type=content_type)


async def _end_streams(app: web.Application) -> None:
    # Open event streams would hold a graceful shutdown for its whole timeout.
    await app[FEED].close()
