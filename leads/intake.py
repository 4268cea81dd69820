"""The one intake function: an event becomes a touch on one customer's lead."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TypeVar

from leads.bans import ban_keys
from leads.clean import clean_event
from leads.duplicates import match_keys
from leads.errors import InvalidEvent
from leads.model import ContactEvent, IntakeResult, acting_manager, reaches_customer
from leads.normalize import (
    Identity,
    normalize_email,
    normalize_name,
    normalize_phone,
    normalize_telegram,
)
from leads.ports import (
    CustomerRef,
    IntakeStore,
    LeadRef,
    LeadRouter,
    LeadToOpen,
    NewLead,
    PreparedEvent,
    UnitOfWork,
)

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class IntakePolicy:
    """The knobs of intake: repeat window, callback delay and the default phone region."""

    default_region: str | None = None
    repeat_window: timedelta = timedelta(days=30)
    callback_after: timedelta = timedelta(minutes=15)
    own_identities: frozenset[tuple[str, str]] = frozenset()
    """Our own numbers and staff addresses (kind, value): never a customer's identity."""


def prepare(event: ContactEvent, policy: IntakePolicy) -> PreparedEvent:
    """Clean and normalize the event; raise InvalidEvent if no identity is usable (nor ignored)."""
    event = clean_event(event)
    region = event.region or policy.default_region
    found: dict[tuple[str, str], Identity] = {}
    unusable: list[str] = []
    for raw in event.identities:
        if raw.kind == "phone":
            identity = normalize_phone(raw.value, region)
            if identity is None:
                unusable.append(raw.value[:64])
        elif raw.kind == "email":
            identity = normalize_email(raw.value)
        else:
            identity = normalize_telegram(raw.value, raw.kind)
        if identity is not None:
            found.setdefault((identity.kind, identity.value), identity)
    own = found.keys() & policy.own_identities
    for key in own:
        del found[key]
    if own and not found and event.ignored is None:
        event = replace(event, ignored="own_contact")
    prepared = PreparedEvent(
        event, tuple(found.values()), normalize_name(event.name), tuple(unusable)
    )
    if not prepared.identities and event.ignored is None:
        raise InvalidEvent("neither a valid phone number nor a valid e-mail address was given")
    return prepared


async def intake(
    uow: UnitOfWork[R],
    prepared: PreparedEvent,
    policy: IntakePolicy,
    router: LeadRouter[R],
    now: datetime,
) -> IntakeResult:
    """Store one prepared event in `uow`: resolve the customer, join or open a lead, route it."""
    store, event = uow.intake, prepared.event
    existing = await store.find_touch(event.channel, event.external_id)
    if existing is not None:
        return IntakeResult(existing.id, existing.lead_id, existing.customer_id, deduplicated=True)
    if not prepared.screened and event.direction == "inbound":
        hits = await store.banned(ban_keys(prepared))
        if hits:
            return await quarantine(store, prepared, hits, now)
    if event.ignored is not None:
        fresh = await store.record_ignored(prepared, now)
        return IntakeResult(None, None, None, deduplicated=not fresh, ignored=event.ignored)

    thread_lead = None
    if event.replies_to:
        thread_lead = await store.lead_of_touches(event.channel, event.replies_to)
    customer_id, owner, new_customer = await _resolve_customer(store, prepared, thread_lead, now)

    lead = await _lead_for_touch(store, customer_id, thread_lead, prepared, policy, new_customer)
    opening = None
    if lead is not None:
        await store.touch_lead(lead, event.occurred_at)
    elif event.direction != "outbound":
        opening = LeadToOpen(customer_id, owner, prepared, callback_due(event, policy))
        assignment = (await router.assign(uow.routing, [opening]))[0]
        lead = await store.create_lead(opening, assignment)
    touch_id = await store.insert_touch(customer_id, lead, prepared, now)
    await _apply_callback(store, event, customer_id, lead, policy, opened=opening is not None)
    if opening is None or lead is None:
        return IntakeResult(touch_id, lead, customer_id)
    await router.announce(uow.routing, [(NewLead(lead, customer_id, owner, prepared), assignment)])
    return IntakeResult(touch_id, lead, customer_id, manager_name=assignment.manager_name)


def callback_due(event: ContactEvent, policy: IntakePolicy) -> datetime | None:
    """When a lead this event opens should be called back, if the event asks for that."""
    return event.occurred_at + policy.callback_after if event.callback == "request" else None


async def quarantine(
    store: IntakeStore, prepared: PreparedEvent, hits: set[tuple[str, str]], now: datetime
) -> IntakeResult:
    """Keep a banned contact's event aside: no card, no lead, no notification."""
    ban = next(key for key in ban_keys(prepared) if key in hits)
    return IntakeResult(None, None, None, quarantined=await store.quarantine(
        prepared.event, ban, now))


async def _resolve_customer(
    store: IntakeStore, prepared: PreparedEvent, thread_lead: LeadRef | None, now: datetime
) -> tuple[int, int | None, bool]:
    """The customer this event belongs to (merging cards it proves one), its owner, and if new."""
    found = await store.customers_by_identities(prepared.identities)
    candidates: dict[int, CustomerRef] = {}
    for ref in found:
        candidates.setdefault(ref.id, ref)
    if thread_lead is not None and thread_lead.customer_id not in candidates:
        proof = Identity("thread", prepared.event.replies_to[0][:320])
        candidates[thread_lead.customer_id] = CustomerRef(
            thread_lead.customer_id, thread_lead.customer_created_at, proof
        )
    if not candidates:
        customer_id = await store.create_customer(prepared.name, now)
        await store.add_identities(customer_id, prepared.identities, now)
        keys = match_keys(prepared.name, prepared.identities)
        await store.index_cards([(customer_id, keys)], now)
        return customer_id, None, True
    ordered = sorted(candidates.values(), key=lambda ref: (ref.created_at, ref.id))
    survivor = ordered[0]
    for ref in ordered[1:]:
        await store.merge_customer(survivor.id, ref.id, ref.matched, prepared.event, now)
    known = {(ref.matched.kind, ref.matched.value) for ref in found}
    new = [i for i in prepared.identities if (i.kind, i.value) not in known]
    if new:
        await store.add_identities(survivor.id, new, now)
    named = prepared.name is not None and await store.fill_customer_name(
        survivor.id, prepared.name
    )
    keys = match_keys(prepared.name if named else None, new)
    if keys:
        await store.index_cards([(survivor.id, keys)], now)
    owner = next((ref.owner_manager_id for ref in ordered if ref.owner_manager_id), None)
    return survivor.id, owner, False


async def _lead_for_touch(
    store: IntakeStore,
    customer_id: int,
    thread_lead: LeadRef | None,
    prepared: PreparedEvent,
    policy: IntakePolicy,
    new_customer: bool,
) -> int | None:
    """The stored lead the touch joins, if any (else intake opens one unless it is outbound)."""
    if thread_lead is not None:
        return thread_lead.id
    if not new_customer:
        lead = await store.open_lead(customer_id, prepared.event.occurred_at - policy.repeat_window)
        if lead is not None:
            return lead.id
    return None


async def _apply_callback(
    store: IntakeStore,
    event: ContactEvent,
    customer_id: int,
    lead: int | None,
    policy: IntakePolicy,
    opened: bool,
) -> None:
    if reaches_customer(event):
        # A manager got through (a reply sent on any channel, an answered outbound call): the
        # lead is contacted, and every callback the customer waits for is done.
        if lead is not None:
            await store.mark_contacted(lead, event.occurred_at, acting_manager(event))
        await store.fulfil_callbacks(customer_id, event.occurred_at)
    elif event.callback == "fulfilled":
        await store.fulfil_callbacks(customer_id, event.occurred_at)
    elif event.callback == "request" and lead is not None and not opened:
        # A lead opened by this event was stored with its callback due already.
        await store.request_callback(
            lead, event.occurred_at, event.occurred_at + policy.callback_after
        )
