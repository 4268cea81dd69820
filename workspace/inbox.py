"""GET /app/: offers to me, my open leads, my team's queue and callbacks; or search results."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from crm_store import inbox_queries
from crm_store.visibility import visible_leads
from leads.normalize import normalize_email, normalize_phone
from workspace import pages
from workspace.keys import DEPS
from workspace.viewer import viewer

routes = web.RouteTableDef()
CHANNELS = ("call", "email", "telegram", "webform", "sms")
SECTIONS = ("offers", "mine", "queue", "callbacks")
_SECTION_LIMIT = 300
_SEARCH_LIMIT = 100


@routes.get("/")
async def inbox(request: web.Request) -> web.Response:
    """The inbox page (or, with ?partial=1, only its lists, for the live refresh)."""
    deps = request.app[DEPS]
    query = request.query.get("q", "").strip()[:200]
    channel = request.query.get("channel", "")
    channel = channel if channel in CHANNELS else ""
    async with deps.engine.connect() as conn:
        me = await viewer(request, conn)
        if query:
            condition = search_condition(query, deps.default_region,
                                         conn.dialect.name == "postgresql")
            select = inbox_queries.search(condition).where(
                visible_leads(me.principal, me.teams))
            lists = {"found": await inbox_queries.rows(conn, _filtered(select, channel),
                                                       _SEARCH_LIMIT)}
        else:
            chosen = inbox_queries.sections(me.manager_id, me.is_admin, me.teams)
            lists = {name: await inbox_queries.rows(conn, _filtered(chosen[name], channel),
                                                    _SECTION_LIMIT) for name in SECTIONS}
    context: dict[str, Any] = {"lists": lists, "q": query, "channel": channel,
                               "channels": CHANNELS, "viewer": me,
                               "offers": len(lists.get("offers", []))}
    template = "inbox_lists.html" if request.query.get("partial") else "inbox.html"
    return pages.render(request, template, **context)


def search_condition(query: str, region: str | None, postgres: bool) -> Any:
    """Match a phone in any written form, an e-mail, or words of the name."""
    phone = normalize_phone(query, region)
    digits = "".join(ch for ch in query if ch.isdigit())
    email = normalize_email(query) if "@" in query else None
    return inbox_queries.matching(
        phone=phone.value if phone else (digits if len(digits) >= 4 else None),
        email=email.value if email else (query.lower() if "@" in query else None),
        words=None if phone or "@" in query else query,
        postgres=postgres,
    )


def _filtered(select: Any, channel: str) -> Any:
    return select.where(inbox_queries.of_channel(channel)) if channel else select
