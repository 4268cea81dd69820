"""Offering leads inside a transaction: choose a manager, record why, write the outbox message.

Deciding is done in memory and the writes of many leads go out together, so a group of new
leads costs a handful of statements rather than a handful per lead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from crm_store.outbox import OutboxEntry
from crm_store.routing_store import Placement, SqlRoutingStore, TeamRow
from routing import messages
from routing.choice import Candidate, Choice, choose
from routing.hours import WorkingHours
from routing.messages import OutboxMessage


@dataclass
class TeamBoard:
    """A team's members as the transaction has seen and changed them so far."""

    team: TeamRow | None
    members: dict[int, Candidate]
    rows: dict[int, Any]

    @classmethod
    async def load(cls, store: SqlRoutingStore, team: TeamRow | None) -> TeamBoard:
        """Read the team's members with their current load, no other choice among them meanwhile
        (see `SqlRoutingStore.boards`)."""
        if team is None:
            return cls.of(None, [])
        _, members = (await store.boards([team.name])).get(team.name, (team, []))
        return cls.of(team, members)

    @classmethod
    def of(cls, team: TeamRow | None, members: Sequence[Any]) -> TeamBoard:
        """The board of `team` from its member rows as the routing store reads them."""
        rows = {row.id: row for row in members}
        return cls(team, {m: candidate(row) for m, row in rows.items()}, rows)

    def took_one(self, manager_id: int, now: datetime) -> None:
        """Count an assignment made in this transaction."""
        member = self.members.get(manager_id)
        if member is not None:
            self.members[manager_id] = replace(member, load=member.load + 1,
                                               last_assigned_at=now)


def candidate(row: Any) -> Candidate:
    """A manager row (with its load) as the pure choice sees it."""
    return Candidate(row.id, row.login, row.available, hours_of(row.hours), row.capacity, row.load,
                     row.last_assigned_at, tuple(row.languages or ()),
                     tuple(r.upper() for r in row.regions or ()))


async def offer(
    store: SqlRoutingStore,
    lead_id: int,
    customer_id: int,
    team: TeamRow | None,
    routing: dict[str, Any],
    owner_id: int | None,
    now: datetime,
) -> Choice:
    """Offer one lead to the best member of `team`, or queue it; `routing` is its history."""
    board = await TeamBoard.load(store, team)
    choice, manager = await decide(store, board, routing, owner_id, now)
    await write(store, [place(lead_id, customer_id, board.team, routing, choice, manager, now)],
                now)
    return choice


async def decide(
    store: SqlRoutingStore,
    board: TeamBoard,
    routing: dict[str, Any],
    owner_id: int | None,
    now: datetime,
    language: str | None = None,
    country: str | None = None,
) -> tuple[Choice, Any | None]:
    """Who should get the lead now, and their row (writes nothing); past offerees are skipped."""
    offered: Sequence[int] = [o["manager_id"] for o in routing.get("offers", [])]
    owner_row = None
    if owner_id is not None and not offered:
        owner_row = board.rows.get(owner_id) or await store.manager(owner_id)
    owner = board.members.get(owner_id) if owner_id in board.members else (
        candidate(owner_row) if owner_row is not None else None)
    language = language or routing.get("language")
    country = country or routing.get("country")
    choice = choose(list(board.members.values()), owner, now, offered, language, country)
    if choice.manager_id is None:
        return choice, None
    if choice.manager_id == owner_id:
        return choice, owner_row
    return choice, board.rows[choice.manager_id]


@dataclass(frozen=True)
class Decision:
    """Where a lead goes, as decided (pure): its new routing state; the message waits for its id."""

    team: TeamRow | None
    routing: dict[str, Any]
    choice: Choice
    manager: Any | None
    deadline: datetime | None

    @property
    def manager_id(self) -> int | None:
        """The manager offered the lead, or None: it waits in its team's queue."""
        return self.manager.id if self.manager is not None else None

    def message(self, lead_id: int) -> OutboxEntry:
        """The lead's announcement, once it has an id."""
        summary = self.routing.get("summary", {})
        if self.manager_id is None:
            return messages.unassigned(lead_id, self.routing["times_queued"],
                                       self.team.name if self.team else None, summary,
                                       self.choice.reason).as_row()
        assert self.team is not None and self.deadline is not None
        return messages.assigned(lead_id, len(self.routing["offers"]), self.manager,
                                 self.team.name, summary, self.deadline,
                                 self.choice.reason).as_row()


def decided(team: TeamRow | None, routing: dict[str, Any], choice: Choice, manager: Any | None,
            now: datetime) -> Decision:
    """Record the choice in the lead's routing history (pure); what to write and announce."""
    routing["decision"] = {"at": now.isoformat(), "manager_id": choice.manager_id,
                           "reason": choice.reason, "considered": choice.considered}
    if manager is None or team is None:
        routing["times_queued"] = routing.get("times_queued", 0) + 1
        return Decision(team, routing, choice, None, None)
    deadline = hours_of(manager.hours).add_working_time(now, timedelta(minutes=team.accept_minutes))
    routing["offers"] = [*routing.get("offers", []), {
        "manager_id": manager.id, "at": now.isoformat(), "reason": choice.reason,
    }]
    return Decision(team, routing, choice, manager, deadline)


def place(
    lead_id: int,
    customer_id: int,
    team: TeamRow | None,
    routing: dict[str, Any],
    choice: Choice,
    manager: Any | None,
    now: datetime,
) -> Placement:
    """The lead's new routing state and its announcement, as decided (pure)."""
    decision = decided(team, routing, choice, manager, now)
    return Placement(lead_id, customer_id, team.name if team else None, decision.manager_id,
                     routing, decision.deadline, decision.message(lead_id))


async def write(store: SqlRoutingStore, placements: Sequence[Placement], now: datetime) -> None:
    """Apply the placements and put their messages in the outbox, in the caller's transaction."""
    await store.place(placements, now)


async def write_message(store: SqlRoutingStore, message: OutboxMessage, now: datetime) -> None:
    """Put one message in the outbox, in the caller's transaction."""
    await store.outbox.add([message.as_row()], now)


async def carry_out(
    store: SqlRoutingStore,
    lead_id: int,
    customer_id: int,
    board: TeamBoard,
    routing: dict[str, Any],
    choice: Choice,
    manager: Any | None,
    now: datetime,
) -> None:
    """Assign or queue one lead as decided and announce it."""
    await write(store, [place(lead_id, customer_id, board.team, routing, choice, manager, now)],
                now)


@lru_cache(maxsize=256)
def hours_of(text: str | None) -> WorkingHours:
    """A manager's working hours as written in the store (always open if unreadable)."""
    try:
        return WorkingHours.parse(text)
    except ValueError:
        # Checked when written; a row edited by hand with bad hours must not stop routing.
        return WorkingHours.always()
