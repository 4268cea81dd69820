"""GET/POST /app/login and POST /app/logout: passwords checked against Argon2 hashes, five
wrong ones in a row throttle the login, the login form itself carries a CSRF token."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from aiohttp import web
from sqlalchemy.exc import IntegrityError

from crm_store import accounts
from crm_store.uow import SqlUnitOfWork
from leads.model import utcnow
from workspace import pages
from workspace.keys import DEPS
from workspace.passwords import verify_password
from workspace.sessions import LOGIN_CSRF_COOKIE, SESSION_COOKIE, csrf_ok, set_cookie

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
_LOGIN_LENGTH = 64


@routes.get("/login")
async def login_form(request: web.Request) -> web.Response:
    """The login form, with a fresh CSRF token in a cookie and a hidden field."""
    return _form(request)


@routes.post("/login")
async def log_in(request: web.Request) -> web.Response:
    """Check the password; start a session and go to the inbox, or say why not."""
    if not await csrf_ok(request, request.cookies.get(LOGIN_CSRF_COOKIE)):
        return pages.refusal(request, 403, "error.csrf")
    form = await request.post()
    login = str(form.get("login", "")).strip()[:_LOGIN_LENGTH]
    password = str(form.get("password", ""))
    deps, now = request.app[DEPS], utcnow()
    async with deps.engine.connect() as conn:
        until = await accounts.throttled_until(conn, login, now)
        account = await accounts.account_by_login(conn, login) if until is None else None
    if until is not None:
        return _form(request, 429, "login.throttled", login)
    stored = account.password_hash if account else None
    if not await verify_password(stored, password) or account is None:
        until = await _failed(request, login)
        log.info("workspace login refused%s", " (now throttled)" if until else "")
        return _form(request, 429 if until else 401,
                     "login.throttled" if until else "login.wrong", login)
    async with SqlUnitOfWork(deps.engine) as uow:
        await uow.workspace.clear_failures(login)
        token = await uow.workspace.start_session(account.manager_id, now, deps.session_lifetime)
        await uow.commit()
    response = pages.redirect("/app/")
    set_cookie(request, response, SESSION_COOKIE, token,
               max_age=int(deps.session_lifetime.total_seconds()))
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/app/login")
    return response


@routes.post("/logout")
async def log_out(request: web.Request) -> web.Response:
    """End the session everywhere and go back to the login form."""
    async with SqlUnitOfWork(request.app[DEPS].engine) as uow:
        await uow.workspace.end_session(request.cookies.get(SESSION_COOKIE, ""))
        await uow.commit()
    response = pages.redirect("/app/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


async def _failed(request: web.Request, login: str) -> datetime | None:
    deps = request.app[DEPS]
    for _ in range(2):  # two first failures at once: the second insert retries as an update
        try:
            async with SqlUnitOfWork(deps.engine) as uow:
                until = await uow.workspace.record_failure(login, utcnow(), deps.throttle_after,
                                                           deps.throttle_for)
                await uow.commit()
            return until
        except IntegrityError:
            continue
    return None


def _form(request: web.Request, status: int = 200, error: str | None = None,
          login: str = "") -> web.Response:
    token = secrets.token_urlsafe(32)
    response = pages.render(request, "login.html", status=status, login_csrf=token,
                            error=error, login=login,
                            minutes=int(request.app[DEPS].throttle_for.total_seconds() // 60))
    set_cookie(request, response, LOGIN_CSRF_COOKIE, token, path="/app/login")
    return response
