"""The edges every request passes: JSON errors for anything that goes wrong, and bearer tokens.

The API (`/api/*`) takes an `Authorization: Bearer` token, or, for reads, the workspace's
session cookie; a dialplan token may only look up a caller's owner.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware
from sqlalchemy.ext.asyncio import AsyncEngine

from channels.base import error_response
from crm_store.tokens import Principal, authenticate
from leadgate.http import openapi
from leadgate.http.keys import PRINCIPAL
from workspace import session_principal

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
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


def bearer_auth(engine: AsyncEngine) -> Middleware:
    """Who is asking, from the token (or the session cookie for reads); 401/403 otherwise."""
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/api/") or request.path == openapi.PATH:
            return await handler(request)
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if not token and request.method in ("GET", "HEAD"):
            # A browser logged in to the workspace may read with its session cookie (the
            # card's <audio> fetches recordings that way); writes always need a token.
            principal = await session_principal(engine, request)
            if principal is not None and _may_use(principal, request.path):
                request[PRINCIPAL] = principal
                return await handler(request)
        if not token or len(token) > 200:
            return error_response(401, "unauthorized", "send Authorization: Bearer <token>")
        # No cache: a revoked token is refused from the next request on, in every process.
        principal = await authenticate(engine, token)
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
