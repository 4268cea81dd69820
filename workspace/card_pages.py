"""GET /app/leads/{id} and /app/customers/{id}: the card with one timeline, and the actions."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store import card_extras, cards
from leads.statuses import ACCEPTABLE_STATUSES, ASSIGNED, NEW, OPEN_STATUSES
from workspace import pages, timeline
from workspace.deps import Replier
from workspace.keys import DEPS
from workspace.viewer import Viewer, viewer

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
NOTICES = ("accepted", "passed", "closed", "called", "replied", "noted", "conflict",
           "call_failed", "no_extension", "reply_failed", "empty")


@routes.get(r"/leads/{lead_id:\d+}")
async def lead_page(request: web.Request) -> web.Response:
    """The lead, its routing decision and actions, on its customer's card."""
    lead_id = int(request.match_info["lead_id"])
    async with request.app[DEPS].engine.connect() as conn:
        me = await viewer(request, conn)
        lead = await cards.lead_detail(conn, lead_id)
        if lead is None or not me.may_see_lead(lead):
            return pages.refusal(request, 404, "error.not_found")
        customer_id = await cards.surviving_customer_id(conn, lead["customer_id"])
        context = await card_context(request, conn, me, customer_id or lead["customer_id"], lead)
    return pages.render(request, "card.html", **context)


@routes.get(r"/customers/{customer_id:\d+}")
async def customer_page(request: web.Request) -> web.Response:
    """The customer card, with the actions of its newest open lead the viewer may see."""
    requested = int(request.match_info["customer_id"])
    async with request.app[DEPS].engine.connect() as conn:
        me = await viewer(request, conn)
        surviving = await cards.surviving_customer_id(conn, requested)
        if surviving is not None and surviving != requested:
            return pages.redirect(f"/app/customers/{surviving}")
        card = await cards.customer_card(conn, requested) if surviving else None
        if card is None or not me.may_see_card(card):
            return pages.refusal(request, 404, "error.not_found")
        current = _current_lead(card, me)
        lead = await cards.lead_detail(conn, current["id"]) if current else None
        context = await card_context(request, conn, me, requested, lead, card)
    return pages.render(request, "card.html", **context)


async def card_context(request: web.Request, conn: AsyncConnection, me: Viewer,
                       customer_id: int, lead: dict[str, Any] | None,
                       card: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything card.html shows."""
    deps = request.app[DEPS]
    card = card or await cards.customer_card(conn, customer_id) or {}
    notes = await card_extras.notes_of(conn, customer_id)
    routings = await card_extras.routings_of(conn, customer_id)
    names = await card_extras.manager_names(conn, timeline.manager_ids(card, notes, routings))
    extension = await card_extras.extension_of(conn, me.manager_id)
    phones = [i["value"] for i in card["identities"] if i["kind"] == "phone"]
    notice = request.query.get("notice", "")
    return {
        "card": card, "lead": lead, "viewer": me, "names": names,
        "entries": timeline.build(card, notes, names, routings),
        "routing": (lead or {}).get("routing") or {},
        "can": allowed(me, lead, can_call=bool(deps.originator and phones and extension),
                       can_reply=await _can_reply(deps.replier, lead)),
        "phones": phones, "moment": timeline.moment,
        "notice": notice if notice in NOTICES else "",
        "visible_leads": [ld for ld in card["leads"] if me.may_see_lead(ld)],
    }


def allowed(me: Viewer, lead: dict[str, Any] | None, can_call: bool,
            can_reply: bool) -> dict[str, bool]:
    """Which buttons the viewer gets on this lead."""
    if lead is None:
        return {"accept": False, "pass": False, "close": False, "call": can_call,
                "reply": False}
    status, owner = lead["status"], lead["manager_id"]
    mine = owner == me.manager_id
    return {
        "accept": status in ACCEPTABLE_STATUSES and (mine or (status == NEW and owner is None)),
        "pass": status == ASSIGNED and mine,
        "close": status in OPEN_STATUSES and (mine or me.is_admin),
        "call": can_call,
        "reply": can_reply and status in OPEN_STATUSES,
    }


async def _can_reply(replier: Replier | None, lead: dict[str, Any] | None) -> bool:
    if replier is None or lead is None or lead["status"] not in OPEN_STATUSES:
        return False
    try:
        return bool((await replier.can_reply(lead["id"])).possible)
    except Exception as err:  # a reply path that cannot tell hides the button, not the card
        log.warning("could not tell whether lead %d can be answered: %s", lead["id"],
                    type(err).__name__)
        return False


def _current_lead(card: dict[str, Any], me: Viewer) -> dict[str, Any] | None:
    visible = [lead for lead in card["leads"] if me.may_see_lead(lead)]
    open_ones = [lead for lead in visible if lead["status"] in OPEN_STATUSES]
    chosen = open_ones or visible
    return chosen[-1] if chosen else None
