"""The workspace as an aiohttp sub-application, mounted by the composition root at /app/."""

from __future__ import annotations

from importlib import resources

from aiohttp import web

from workspace import actions, card_pages, events, inbox, login, pages
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
    for table in (login.routes, inbox.routes, card_pages.routes, actions.routes, events.routes):
        app.add_routes(table)
    static = resources.files("workspace").joinpath("static")
    app.router.add_static("/static/", str(static), append_version=False)
    app.on_shutdown.append(_end_streams)
    return app


async def _end_streams(app: web.Application) -> None:
    # Open event streams would hold a graceful shutdown for its whole timeout.
    await app[FEED].close()
