"""Intake of a whole group at once: new people in bulk, everyone else one by one.

Most contacts in a busy minute are new people. For them intake needs no per-event decisions
beyond "new card, new lead", so a group shares one survey of the store (touches stored
already, ban hits, known identities: one round trip), one write of their cards and one of
their leads with the touches opening them and routing's announcements, each multi-row. An
event takes that fast path only when nothing in the store or the group can touch its outcome:
none of its identities is known or shared with another event of the group, it is not stored
yet, and it is a plain inbound contact; a group of one too. All others go through `intake()`
after the fast ones, in their original order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from leads.bans import ban_keys
from leads.duplicates import match_keys
from leads.intake import IntakePolicy, callback_due, intake, quarantine
from leads.model import IntakeResult
from leads.ports import (
    Announcement,
    IntakeStore,
    LeadRouter,
    LeadToOpen,
    NewCard,
    NewLead,
    PreparedEvent,
    Survey,
    UnitOfWork,
)

R = TypeVar("R")


def _plain_inbound(prepared: PreparedEvent) -> bool:
    event = prepared.event
    return (
        event.ignored is None
        and not event.replies_to
        and event.direction == "inbound"
        and event.callback != "fulfilled"
    )


def _keys(prepared: PreparedEvent) -> list[tuple[str, str]]:
    return [(i.kind, i.value) for i in prepared.identities]


def _touch_key(prepared: PreparedEvent) -> tuple[str, str]:
    return prepared.event.channel, prepared.event.external_id


def _fast_candidates(group: list[PreparedEvent], survey: Survey) -> list[int]:
    """Positions in `group` of the events that may take the bulk path."""
    shared = Counter(key for prepared in group for key in _keys(prepared))
    touch_keys = Counter(_touch_key(p) for p in group)
    taken = {(ref.matched.kind, ref.matched.value) for ref in survey.known}
    return [
        n
        for n, prepared in enumerate(group)
        if _plain_inbound(prepared)
        and all(shared[key] == 1 for key in _keys(prepared))
        and touch_keys[_touch_key(prepared)] == 1
        and _touch_key(prepared) not in survey.stored
        and not taken.intersection(_keys(prepared))
    ]


async def intake_group(
    uow: UnitOfWork[R],
    group: list[PreparedEvent],
    policy: IntakePolicy,
    router: LeadRouter[R],
    now: datetime,
) -> list[IntakeResult]:
    """The results of `intake()` for each event of the group, in order, in one transaction."""
    screened = {
        n: ban_keys(p) for n, p in enumerate(group)
        if not p.screened and p.event.direction == "inbound"
    }
    survey = await uow.intake.survey(
        list(dict.fromkeys(_touch_key(p) for p in group)),
        list(dict.fromkeys(key for keys in screened.values() for key in keys)),
        [identity for p in group if _plain_inbound(p) for identity in p.identities],
    )
    results = await _quarantine_banned(uow.intake, group, screened, survey, now)
    cleared = [n for n in range(len(group)) if n not in results]
    let_in = [replace(group[n], screened=True) for n in cleared]
    for n, result in zip(cleared, await _intake_cleared(uow, let_in, survey, policy, router, now),
                         strict=True):
        results[n] = result
    return [results[n] for n in range(len(group))]


async def _quarantine_banned(
    store: IntakeStore, group: list[PreparedEvent], screened: dict[int, list[tuple[str, str]]],
    survey: Survey, now: datetime,
) -> dict[int, IntakeResult]:
    """Banned events (not stored before) are kept aside."""
    return {
        n: await quarantine(store, group[n], survey.banned, now)
        for n, keys in screened.items()
        if survey.banned.intersection(keys) and _touch_key(group[n]) not in survey.stored
    }


async def _intake_cleared(
    uow: UnitOfWork[R],
    group: list[PreparedEvent],
    survey: Survey,
    policy: IntakePolicy,
    router: LeadRouter[R],
    now: datetime,
) -> list[IntakeResult]:
    fast = _fast_candidates(group, survey)
    results: dict[int, IntakeResult] = {}
    if fast:
        new_people = await _intake_new_people(uow, [group[n] for n in fast], policy, router, now)
        results.update(zip(fast, new_people, strict=True))
    for n, prepared in enumerate(group):
        if n not in results:
            results[n] = await intake(uow, prepared, policy, router, now)
    return [results[n] for n in range(len(group))]


async def _intake_new_people(
    uow: UnitOfWork[R],
    batch: list[PreparedEvent],
    policy: IntakePolicy,
    router: LeadRouter[R],
    now: datetime,
) -> list[IntakeResult]:
    """New cards, routed leads and touches for people the store has never seen, in bulk."""
    store = uow.intake
    cards = await store.create_cards(
        [NewCard(p.name, p.identities, match_keys(p.name, p.identities)) for p in batch], now)
    opening = [
        LeadToOpen(card.customer_id, None, p, callback_due(p.event, policy), card.lead_id)
        for card, p in zip(cards, batch, strict=True)
    ]
    placed = list(zip(opening, await router.assign(uow.routing, opening), strict=True))

    def announcements(lead_ids: Sequence[int]) -> list[Announcement]:
        return router.announcements([
            (NewLead(lead, o.customer_id, None, o.event), assignment)
            for lead, (o, assignment) in zip(lead_ids, placed, strict=True)])

    opened = await store.open_leads(placed, now, announcements)
    return [
        IntakeResult(touch, lead, o.customer_id, manager_name=assignment.manager_name)
        for (lead, touch), (o, assignment) in zip(opened, placed, strict=True)
    ]
