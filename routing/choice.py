"""Choosing a manager in a team: sticky owner, then least loaded and longest idle, else wait."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from routing.hours import WorkingHours


@dataclass(frozen=True)
class Candidate:
    """A team member as routing sees them at the moment of the decision."""

    id: int
    login: str
    available: bool
    hours: WorkingHours
    capacity: int
    load: int
    last_assigned_at: datetime | None
    languages: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    def suits(self, language: str | None, country: str | None) -> bool:
        """Whether the member speaks the lead's language and covers its country (if they say)."""
        speaks = not language or not self.languages or language in self.languages
        covers = not country or not self.regions or country in self.regions
        return speaks and covers


@dataclass(frozen=True)
class Choice:
    """The chosen manager (or None: the lead waits in the team queue), and why."""

    manager_id: int | None
    reason: str
    considered: list[dict[str, Any]] = field(default_factory=list)


def why_not(candidate: Candidate, now: datetime) -> str | None:
    """Why this member cannot take a lead now, or None if they can."""
    if not candidate.available:
        return "away"
    if not candidate.hours.is_open(now):
        return "outside working hours"
    if candidate.load >= candidate.capacity:
        return f"at capacity ({candidate.load}/{candidate.capacity})"
    return None


def choose(
    members: Sequence[Candidate],
    owner: Candidate | None,
    now: datetime,
    exclude: Sequence[int] = (),
    language: str | None = None,
    country: str | None = None,
) -> Choice:
    """Sticky owner if available and working; else least loaded, then longest idle; else queue."""
    considered: list[dict[str, Any]] = []
    if owner is not None and owner.id not in exclude:
        reason = "away" if not owner.available else (
            None if owner.hours.is_open(now) else "outside working hours")
        considered.append(_considered(owner, "owner: " + reason if reason else None))
        if reason is None:
            return Choice(owner.id, "sticky owner", considered)
    eligible: list[Candidate] = []
    for candidate in members:
        if owner is not None and candidate.id == owner.id:
            continue
        reason = "already offered" if candidate.id in exclude else why_not(candidate, now)
        considered.append(_considered(candidate, reason))
        if reason is None:
            eligible.append(candidate)
    if not eligible:
        return Choice(None, "no member can take it now: waiting in the team queue", considered)
    suited = [c for c in eligible if c.suits(language, country)]
    if suited and len(suited) < len(eligible):
        eligible = suited  # a member who speaks the customer's language, when one is free
        for entry in considered:
            if entry["skipped"] is None and entry["manager_id"] not in {c.id for c in suited}:
                entry["skipped"] = "another member speaks the language or covers the country"
    # Never-assigned members sort first and ties go to the lowest id, so members take turns
    # instead of the oldest account winning every tie.
    never = datetime.min.replace(tzinfo=now.tzinfo)
    best = min(eligible, key=lambda c: (c.load, c.last_assigned_at or never, c.id))
    reason = "least loaded, longest since last assignment"
    return Choice(best.id, reason if owner is None else f"owner not free; {reason}", considered)


def _considered(candidate: Candidate, skipped: str | None) -> dict[str, Any]:
    return {"manager_id": candidate.id, "login": candidate.login, "load": candidate.load,
            "skipped": skipped}
