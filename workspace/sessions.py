"""Who is logged in: the session cookie, the CSRF check on every POST, and pages refused to
strangers (redirected to the login form)."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.accounts import Session, session_for
from crm_store.tokens import Principal
from leads.model import utcnow
from workspace import pages
from workspace.i18n import COOKIE as LANG_COOKIE
from workspace.i18n import LANGUAGES, Translator, choose
from workspace.keys import DEPS, SESSION, TRANSLATOR

SESSION_COOKIE = "leadgate_session"
LOGIN_CSRF_COOKIE = "leadgate_login_csrf"
PUBLIC = ("/app/login", "/app/static/")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def principal_of(session: Session) -> Principal:
    """The API's principal for a logged-in manager: the same access rules apply."""
    account = session.account
    return Principal("admin" if account.is_admin else "manager", account.manager_id)


async def session_principal(engine: AsyncEngine, request: web.Request) -> Principal | None:
    """The principal of the request's session cookie, if it names a live session."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    async with engine.connect() as conn:
        session = await session_for(conn, token, utcnow())
    return principal_of(session) if session is not None else None


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Language, session and CSRF for every request under /app/."""
    lang = request.query.get("lang")
    if request.method == "GET" and lang in LANGUAGES:
        return _switch_language(request, str(lang))
    request[TRANSLATOR] = Translator(choose(request.cookies.get(LANG_COOKIE),
                                            request.headers.get("Accept-Language")))
    try:
        if request.path.startswith(PUBLIC):
            response = await handler(request)
        else:
            response = await _with_session(request, handler)
    except web.HTTPException as err:
        if err.status < 400:
            raise
        response = pages.refusal(request, err.status, "error.not_found" if err.status == 404
                                 else "error.refused")
    if response.prepared:
        return response
    if request.path.startswith("/app/static/"):
        response.headers.setdefault("Cache-Control", "public, max-age=86400")
    else:
        _page_headers(response)
    return response


async def _with_session(request: web.Request, handler: Handler) -> web.StreamResponse:
    token = request.cookies.get(SESSION_COOKIE, "")
    session = None
    if token:
        async with request.app[DEPS].engine.connect() as conn:
            session = await session_for(conn, token, utcnow())
    if session is None:
        if request.method == "GET" and not request.path.startswith("/app/events"):
            response = pages.redirect("/app/login")
            response.del_cookie(SESSION_COOKIE, path="/")
            return response
        return pages.refusal(request, 401 if request.method == "GET" else 403, "error.login")
    if request.method not in ("GET", "HEAD") and not await csrf_ok(request, session.csrf_token):
        return pages.refusal(request, 403, "error.csrf")
    request[SESSION] = session
    return await handler(request)


async def csrf_ok(request: web.Request, expected: str | None) -> bool:
    """Whether the POST carries the expected token (form field `csrf` or X-CSRF-Token)."""
    sent = request.headers.get("X-CSRF-Token")
    if sent is None and request.content_type in (
        "application/x-www-form-urlencoded", "multipart/form-data"
    ):
        try:
            form = await request.post()
        except (ValueError, UnicodeDecodeError, AssertionError):
            return False  # a body that cannot be read carries no token
        value = form.get("csrf")
        sent = value if isinstance(value, str) else None
    return bool(expected and sent and hmac.compare_digest(sent, expected))


def set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str,
               path: str = "/", max_age: int | None = None) -> None:
    """An HttpOnly, SameSite=Lax cookie, Secure when the service is public over HTTPS."""
    response.set_cookie(name, value, path=path, max_age=max_age, httponly=True, samesite="Lax",
                        secure=request.app[DEPS].secure_cookies)


def _switch_language(request: web.Request, lang: str) -> web.StreamResponse:
    rest = request.url.with_query({k: v for k, v in request.query.items() if k != "lang"})
    response = pages.redirect(str(rest.relative()))
    set_cookie(request, response, LANG_COOKIE, lang, max_age=365 * 86400)
    return response


def _page_headers(response: web.StreamResponse) -> None:
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; media-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
