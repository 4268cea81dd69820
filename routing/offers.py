"""Offering a lead inside a transaction: choose a manager, record why, write the outbox message."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from crm_store.routing_store import SqlRoutingStore, TeamRow
from routing import messages
from routing.choice import Candidate, Choice, choose
from routing.hours import WorkingHours
from routing.messages import OutboxMessage


def candidate(row: Any) -> Candidate:
    """A manager row (with its load) as the pure choice sees it."""
    return Candidate(row.id, row.login, row.available, _hours(row.hours), row.capacity, row.load,
                     row.last_assigned_at)


async def offer(
    store: SqlRoutingStore,
    lead_id: int,
    customer_id: int,
    team: TeamRow | None,
    routing: dict[str, Any],
    owner_id: int | None,
    now: datetime,
) -> Choice:
    """Offer the lead to the best member of `team`, or queue it; `routing` is its history so far."""
    choice = await decide(store, team, routing, owner_id, now)
    await carry_out(store, lead_id, customer_id, team, routing, choice, now)
    return choice


async def decide(
    store: SqlRoutingStore,
    team: TeamRow | None,
    routing: dict[str, Any],
    owner_id: int | None,
    now: datetime,
) -> Choice:
    """Who should get the lead now (writes nothing); managers already offered it are skipped."""
    offered: Sequence[int] = [o["manager_id"] for o in routing.get("offers", [])]
    members = [candidate(row) for row in await store.members(team.id)] if team else []
    owner = None
    if owner_id is not None and not offered:
        owner_row = await store.manager(owner_id)
        owner = candidate(owner_row) if owner_row is not None else None
    return choose(members, owner, now, exclude=offered)


async def carry_out(
    store: SqlRoutingStore,
    lead_id: int,
    customer_id: int,
    team: TeamRow | None,
    routing: dict[str, Any],
    choice: Choice,
    now: datetime,
) -> None:
    """Assign or queue the lead as chosen, record the decision, and announce it in the outbox."""
    routing["decision"] = {"at": now.isoformat(), "manager_id": choice.manager_id,
                           "reason": choice.reason, "considered": choice.considered}
    summary = routing.get("summary", {})
    if choice.manager_id is None or team is None:
        routing["times_queued"] = routing.get("times_queued", 0) + 1
        await store.queue(lead_id, team.name if team else None, routing)
        await write_message(store, messages.unassigned(
            lead_id, routing["times_queued"], team.name if team else None, summary,
            choice.reason), now)
        return
    manager = await store.manager(choice.manager_id)
    assert manager is not None
    deadline = _hours(manager.hours).add_working_time(
        now, timedelta(minutes=team.accept_minutes)
    )
    routing["offers"] = [*routing.get("offers", []), {
        "manager_id": manager.id, "at": now.isoformat(), "reason": choice.reason,
    }]
    await store.assign(lead_id, customer_id, manager.id, team.name, routing, deadline, now)
    await write_message(store, messages.assigned(
        lead_id, len(routing["offers"]), manager, team.name, summary, deadline, choice.reason),
        now)


async def write_message(store: SqlRoutingStore, message: OutboxMessage, now: datetime) -> None:
    """Put one message in the outbox, in the caller's transaction."""
    await store.add_outbox(message.message_id, message.routing_key, message.payload, now)


@lru_cache(maxsize=256)
def _hours(text: str | None) -> WorkingHours:
    try:
        return WorkingHours.parse(text)
    except ValueError:
        # Checked when written; a row edited by hand with bad hours must not stop routing.
        return WorkingHours.always()
