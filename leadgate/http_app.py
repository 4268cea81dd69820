"""The one aiohttp application: forms and webhooks, the API, health and metrics."""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Iterable

from aiohttp import web
from aiohttp.typedefs import Middleware

from channels.base import WebhookChannel, error_response
from crm_store.tokens import Principal, authenticate
from leadgate import (
    api,
    api_bans,
    api_duplicates,
    api_leads,
    api_merges,
    api_recordings,
    api_replies,
    api_reports,
    api_telephony,
    openapi,
)
from leadgate.app_keys import CORE, PRINCIPAL, WEBHOOKS
from leadgate.bootstrap import Core
from leadgate.cluster import singletons
from leadgate.http_noise import quiet_unreadable_requests
from leadgate.journal import JournalSettings, journal_refusals
from leadgate.metrics import CONTENT_TYPE
from leads.errors import ConfigError
from routing.replies import ReplyService
from workspace import WorkspaceDeps, build_workspace, session_principal

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_TOKEN_CACHE_SECONDS = 30.0


def build_app(
    core: Core,
    channels: Iterable[WebhookChannel] = (),
    extra_routes: Iterable[web.AbstractRouteDef] = (),
    originator: api_telephony.Originator | None = None,
    replies: ReplyService | None = None,
) -> web.Application:
    """The HTTP app with the given webhook channels, extra routes and click-to-call."""
    quiet_unreadable_requests()
    app = web.Application(
        middlewares=[_json_errors, _bearer_auth(core), api_bans.admin_only,
                     journal_refusals(core.engine, _journal_settings(core))],
        client_max_size=4 * 1024**2,
    )
    app[CORE] = core
    if originator is not None:
        app[api_telephony.ORIGINATOR] = originator
    if replies is not None:
        app[api_replies.REPLIES] = replies
    app[WEBHOOKS] = []
    for channel in channels:
        app.add_routes(channel.routes(core.metrics.observe(channel.name, core.sink)))
        app[WEBHOOKS].append(channel.name)
    app.add_routes(api.routes)
    app.add_routes(api_leads.routes)
    app.add_routes(api_duplicates.routes)
    app.add_routes(api_merges.routes)
    app.add_routes(api_bans.routes)
    app.add_routes(api_telephony.routes)
    app.add_routes(api_reports.routes)
    app.add_routes(api_replies.routes)
    app.add_routes(api_recordings.routes)
    app.add_routes(list(extra_routes))
    app.add_routes([web.get("/healthz", _healthz), web.get("/metrics", _metrics)])
    app.add_routes([web.get(openapi.PATH, openapi.serve_openapi)])
    app.add_subapp("/app/", build_workspace(WorkspaceDeps(
        core.engine, core.desk, written=core.outbox.ring,
        default_region=core.policy.default_region, public_url=core.settings.public_url,
        timezone=core.settings.raw.get("timezone"), originator=originator, replier=replies)))
    return app


def _journal_settings(core: Core) -> JournalSettings:
    try:
        return JournalSettings.from_toml(core.settings.section("journal"))
    except ValueError as err:
        raise ConfigError(str(err)) from err


def listening(app: web.Application) -> None:
    """The server listens: each webhook channel is doing its job from now on."""
    for name in app[WEBHOOKS]:
        app[CORE].health.report(name, "ok", "listening")


@web.middleware
async def _json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    if "\x00" in request.query_string or "%00" in request.raw_path:
        # No text column holds a NUL; a query or path that carries one is never a real one.
        return error_response(400, "malformed", "the URL holds a NUL character")
    try:
        return await handler(request)
    except web.HTTPException as err:
        if err.status < 400 or err.content_type == "application/json":
            raise
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            err.status, "error"
        )
        return error_response(err.status, code, err.reason)
    except RecursionError:
        # Only hostile input nests deep enough to exhaust the stack (JSON, MIME).
        return error_response(400, "malformed", "the request is nested too deeply")
    except web.RequestPayloadError:
        # aiohttp could not read the body as sent (a Content-Encoding the bytes do not match,
        # a broken chunked stream): the sender's mistake, not ours.
        return error_response(400, "malformed", "the request body cannot be read as encoded")
    except Exception as err:
        # Exception texts can quote personal data: the traceback goes to DEBUG only.
        log.error("unexpected %s on %s %s", type(err).__name__, request.method, request.path)
        log.debug("unexpected error", exc_info=True)
        return error_response(500, "internal_error", "unexpected error; it was logged")


def _bearer_auth(core: Core) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/api/") or request.path == openapi.PATH:
            return await handler(request)
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if not token and request.method in ("GET", "HEAD"):
            # A browser logged in to the workspace may read with its session cookie (the
            # card's <audio> fetches recordings that way); writes always need a token.
            principal = await session_principal(core.engine, request)
            if principal is not None and _may_use(principal, request.path):
                request[PRINCIPAL] = principal
                return await handler(request)
        if not token or len(token) > 200:
            return error_response(401, "unauthorized", "send Authorization: Bearer <token>")
        # No cache: a revoked token is refused from the next request on, in every process.
        principal = await authenticate(core.engine, token)
        if principal is None:
            return error_response(401, "unauthorized", "the token is unknown or revoked")
        if not _may_use(principal, request.path):
            return error_response(403, "forbidden", _FORBIDDEN[principal.role == "dialplan"])
        request[PRINCIPAL] = principal
        return await handler(request)

    return middleware


DIALPLAN_PATH = "/api/route/call"


def _may_use(principal: Principal, path: str) -> bool:
    """The dialplan look-up is for admin and dialplan tokens; a dialplan token is for it only."""
    if principal.is_admin:
        return True
    if path == DIALPLAN_PATH:
        return principal.role == "dialplan"
    return principal.role != "dialplan"

_FORBIDDEN = {
    True: "a dialplan token may only look up a caller's owner",
    False: "the owner look-up needs an admin or a dialplan token",
}


async def _healthz(request: web.Request) -> web.Response:
    """Channels and loops from memory; the database asked once, with a timeout."""
    core = request.app[CORE]
    database_ok = await core.metrics.refresh_database(core.engine)
    body = {"status": core.health.status if database_ok else "degraded",
            "database": "ok" if database_ok else "unavailable",
            **core.health.snapshot(), "singletons": singletons(core.locks), "pid": os.getpid()}
    return web.json_response(body, status=200 if database_ok else 503)


async def _metrics(request: web.Request) -> web.Response:
    """Prometheus text; answers 200 whatever is down, and says what is."""
    core = request.app[CORE]
    await core.metrics.refresh_database(core.engine)
    return web.Response(body=core.metrics.render(), headers={"Content-Type": CONTENT_TYPE})
