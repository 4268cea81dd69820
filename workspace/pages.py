"""Rendering: every page gets the translator, the viewer, the CSRF token and the switch links."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape

from leads.model import utcnow
from workspace import formatting
from workspace.i18n import LANGUAGES, Translator
from workspace.keys import DEPS, SESSION, TEMPLATES, TRANSLATOR


def environment() -> Environment:
    """The Jinja2 environment over the package's templates, escaping HTML."""
    env = Environment(loader=PackageLoader("workspace", "templates"),
                      autoescape=select_autoescape(default=True), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["phone"] = formatting.phone
    env.filters["duration"] = formatting.duration
    env.filters["iso"] = formatting.iso
    env.globals.update(asset_version=asset_version(), source=formatting.source,
                       countdown=formatting.countdown, overdue=formatting.overdue,
                       local_time=formatting.local_time)
    return env


@cache
def asset_version() -> str:
    """A short hash of the static files, so browsers fetch them anew after an upgrade."""
    digest = hashlib.sha256()
    for name in ("app.css", "app.js"):
        digest.update(resources.files("workspace").joinpath("static", name).read_bytes())
    return digest.hexdigest()[:10]


def render(request: web.Request, template: str, status: int = 200,
           **context: Any) -> web.Response:
    """The page, with what every template uses."""
    t: Translator = request[TRANSLATOR]
    session = request.get(SESSION)
    now = utcnow()
    tz = formatting.zone(_zone_name(request))
    body = request.app[TEMPLATES].get_template(template).render(
        t=t, lang=t.lang, session=session, me=session.account if session else None,
        csrf=session.csrf_token if session else "", now=now,
        when=lambda moment: formatting.when(moment, tz, t.lang, now),
        age=lambda moment: formatting.age(moment, now, t),
        langs=[(code, str(request.rel_url.update_query(lang=code))) for code in LANGUAGES],
        **context)
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


def refusal(request: web.Request, status: int, key: str) -> web.Response:
    """A short error page in the reader's language."""
    if TRANSLATOR not in request:
        request[TRANSLATOR] = Translator("en")
    return render(request, "error.html", status=status, message_key=key)


def redirect(location: str) -> web.Response:
    """303 See Other: after a POST, the browser GETs the page again."""
    return web.Response(status=303, headers={"Location": location})


def _zone_name(request: web.Request) -> str | None:
    session = request.get(SESSION)
    hours = session.account.hours if session else None
    return formatting.zone_of_hours(hours) or request.app[DEPS].timezone
