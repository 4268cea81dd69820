"""One timeline for a card: every touch on every channel, the routing events and the notes,
newest first (pure: built from what the store read)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

RECORDING_PATH = "/api/calls/{touch_id}/recording"


@dataclass
class Entry:
    """One thing that happened, as the timeline shows it."""

    at: datetime | None
    kind: str
    """touch | offered | withdrawn | queued | accepted | closed | note"""
    lead_id: int | None = None
    channel: str | None = None
    direction: str | None = None
    touch: Mapping[str, Any] = field(default_factory=dict)
    who: str | None = None
    text: str | None = None
    recording: str | None = None


def moment(value: Any) -> datetime | None:
    """A datetime from the store's value (the card reader gives ISO strings)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def build(card: Mapping[str, Any], notes: Sequence[Mapping[str, Any]],
          names: Mapping[Any, str], routings: Mapping[int, Mapping[str, Any]]) -> list[Entry]:
    """Touches, routing events of every lead (`routings`: lead id → routing) and notes."""
    entries = [touch_entry(touch) for touch in card["timeline"]]
    for lead in card["leads"]:
        entries.extend(routing_entries(lead, routings.get(lead["id"]) or {}, names))
    entries.extend(Entry(moment(n["created_at"]), "note", n.get("lead_id"), text=n["text"],
                         who=names.get(n["manager_id"])) for n in notes)
    epoch = datetime.min.replace(tzinfo=None)
    return sorted(entries, key=lambda e: (e.at.replace(tzinfo=None) if e.at else epoch),
                  reverse=True)


def touch_entry(touch: Mapping[str, Any]) -> Entry:
    """A call, mail, chat, SMS or form as a timeline entry."""
    details = touch.get("details") or {}
    recording = None
    if touch["channel"] == "call" and details.get("recording"):
        recording = RECORDING_PATH.format(touch_id=touch["id"])
    return Entry(moment(touch["occurred_at"]), "touch", touch.get("lead_id"), touch["channel"],
                 touch.get("direction"), touch, text=touch.get("text"), recording=recording)


def routing_entries(lead: Mapping[str, Any], routing: Mapping[str, Any],
                    names: Mapping[Any, str]) -> list[Entry]:
    """Offered, withdrawn, queued, accepted and closed, from the lead's routing history."""
    lead_id, entries = lead["id"], []
    offers = list(routing.get("offers") or [])
    for number, offer in enumerate(offers):
        who = names.get(offer.get("manager_id"))
        entries.append(Entry(moment(offer.get("at")), "offered", lead_id, who=who,
                             text=offer.get("reason")))
        if number + 1 < len(offers):
            entries.append(Entry(moment(offers[number + 1].get("at")), "withdrawn", lead_id,
                                 who=who))
    decision = routing.get("decision") or {}
    if decision and decision.get("manager_id") is None:
        if offers:
            entries.append(Entry(moment(decision.get("at")), "withdrawn", lead_id,
                                 who=names.get(offers[-1].get("manager_id"))))
        entries.append(Entry(moment(decision.get("at")), "queued", lead_id,
                             text=decision.get("reason")))
    if lead.get("accepted_at"):
        entries.append(Entry(moment(lead["accepted_at"]), "accepted", lead_id,
                             who=names.get(lead.get("manager_id"))))
    if lead.get("closed_at"):
        entries.append(Entry(moment(lead["closed_at"]), "closed", lead_id,
                             who=names.get(lead.get("manager_id")), text=lead.get("status")))
    return entries


def manager_ids(card: Mapping[str, Any], notes: Sequence[Mapping[str, Any]],
                routings: Mapping[int, Mapping[str, Any]]) -> set[int]:
    """Every manager a card's page names."""
    ids = {card.get("owner_manager_id")} | {lead.get("manager_id") for lead in card["leads"]}
    ids |= {n.get("manager_id") for n in notes}
    for routing in routings.values():
        ids |= {o.get("manager_id") for o in routing.get("offers") or []}
        ids |= {c.get("manager_id") for c in (routing.get("decision") or {}).get("considered", [])}
    return {i for i in ids if isinstance(i, int)}
