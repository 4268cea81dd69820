"""POST actions on a lead or card: Accept, Pass, Won/Lost/Spam, Call, Reply, a note.

Each checks the same visibility as the pages, hands the change to the desk (or the telephony
or reply path), and sends the browser back to the card with a notice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from crm_store import card_extras, cards
from crm_store.uow import SqlUnitOfWork
from leads.errors import LeadConflict, LeadNotFound
from leads.model import utcnow
from leads.statuses import CLOSED_STATUSES
from routing import access
from workspace import pages
from workspace.keys import DEPS
from workspace.viewer import Viewer, viewer

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
Action = Callable[[Viewer, dict[str, Any], Any], Awaitable[str]]


def _lead_action(path: str, then: str = "/app/leads/{lead_id}",
                 kind: access.Action | None = None) -> Callable[[Action], Any]:
    """Register a POST on /leads/{id}/<path>: load the lead, check it is visible, act, and
    send the browser to `then` (or the form's `next`)."""

    def register(action: Action) -> Any:
        async def handler(request: web.Request) -> web.Response:
            lead_id = int(request.match_info["lead_id"])
            form, deps = await request.post(), request.app[DEPS]
            async with deps.engine.connect() as conn:
                me = await viewer(request, conn)
                lead = await cards.lead_detail(conn, lead_id)
            if lead is None or not me.may_see_lead(lead) or (
                kind and not me.is_admin
                and not await access.manager_may(deps.engine, lead_id, me.manager_id, kind)
            ):
                return pages.refusal(request, 404, "error.not_found")
            try:
                notice = await action(me, lead, _Context(request, form))
            except LeadNotFound:
                return pages.refusal(request, 404, "error.not_found")
            except LeadConflict:
                notice = "conflict"
            request.app[DEPS].written()
            return pages.redirect(_next(form, then.format(lead_id=lead_id), notice))

        handler.__doc__, handler.__name__ = action.__doc__, action.__name__
        routes.post(rf"/leads/{{lead_id:\d+}}/{path}")(handler)
        return action

    return register


class _Context:
    """The request and its form, for an action."""

    def __init__(self, request: web.Request, form: Any) -> None:
        self.deps = request.app[DEPS]
        self.form = form

    def field(self, name: str) -> str:
        value = self.form.get(name, "")
        return value.strip() if isinstance(value, str) else ""


@_lead_action("accept", kind="accept")
async def accept(me: Viewer, lead: dict[str, Any], ctx: _Context) -> str:
    """Take the lead (offered to me, or waiting in my team's queue)."""
    await ctx.deps.desk.accept(lead["id"], me.manager_id)
    return "accepted"


@_lead_action("pass", then="/app/", kind="pass")
async def pass_on(me: Viewer, lead: dict[str, Any], ctx: _Context) -> str:
    """Decline the offer: the lead goes to the next candidate."""
    await ctx.deps.desk.pass_on(lead["id"], me.manager_id)
    return "passed"


@_lead_action("close", kind="close")
async def close(me: Viewer, lead: dict[str, Any], ctx: _Context) -> str:
    """Close as won, lost or spam."""
    status = ctx.field("status")
    if status not in CLOSED_STATUSES:
        return "conflict"
    await ctx.deps.desk.close(lead["id"], status, None if me.is_admin else me.manager_id)
    return "closed"


@_lead_action("call")
async def call(me: Viewer, lead: dict[str, Any], ctx: _Context) -> str:
    """Ring my extension, then the customer (click-to-call)."""
    originator = ctx.deps.originator
    async with ctx.deps.engine.connect() as conn:
        extension = await card_extras.extension_of(conn, me.manager_id)
        card = await cards.customer_card(conn, lead["customer_id"]) or {"identities": []}
    phones = [i["value"] for i in card["identities"] if i["kind"] == "phone"]
    phone = ctx.field("phone") if ctx.field("phone") in phones else (phones or [""])[0]
    if originator is None or not extension or not phone:
        return "no_extension"
    try:
        await originator.originate(extension, phone)
    except Exception as err:  # unreachable PBX or a number it refuses: say so on the card
        log.warning("click-to-call failed: %s", type(err).__name__)
        return "call_failed"
    return "called"


@_lead_action("reply")
async def reply(me: Viewer, lead: dict[str, Any], ctx: _Context) -> str:
    """Answer the customer on the channel they last wrote on."""
    text = ctx.field("text")
    if ctx.deps.replier is None or not text:
        return "empty" if not text else "reply_failed"
    try:
        await ctx.deps.replier.reply(lead["id"], text, f"manager:{me.manager_id}")
    except Exception as err:  # no channel reaches them, or the provider refused
        log.warning("reply failed: %s", type(err).__name__)
        return "reply_failed"
    return "replied"


@_lead_action("note")
async def note(me: Viewer, lead: dict[str, Any], ctx: _Context) -> str:
    """Keep a note on the customer's card."""
    text = ctx.field("text")
    if not text:
        return "empty"
    async with SqlUnitOfWork(ctx.deps.engine) as uow:
        await uow.workspace.add_note(lead["customer_id"], lead["id"], me.manager_id, text, utcnow())
        await uow.commit()
    return "noted"


def _next(form: Any, default: str, notice: str) -> str:
    wanted = form.get("next")
    target = wanted if isinstance(wanted, str) and wanted.startswith("/app/") else default
    return f"{target}{'&' if '?' in target else '?'}notice={notice}"


@routes.post(r"/customers/{customer_id:\d+}/note")
async def customer_note(request: web.Request) -> web.Response:
    """Keep a note on a card that has no lead the viewer may act on."""
    customer_id = int(request.match_info["customer_id"])
    form = await request.post()
    text = form.get("text")
    async with request.app[DEPS].engine.connect() as conn:
        me = await viewer(request, conn)
        card = await cards.customer_card(conn, customer_id)
    if card is None or not me.may_see_card(card):
        return pages.refusal(request, 404, "error.not_found")
    if isinstance(text, str) and text.strip():
        async with SqlUnitOfWork(request.app[DEPS].engine) as uow:
            await uow.workspace.add_note(customer_id, None, me.manager_id, text.strip(), utcnow())
            await uow.commit()
    return pages.redirect(f"/app/customers/{customer_id}?notice=noted")
