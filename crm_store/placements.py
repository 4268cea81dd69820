"""Where routing puts leads: the lead rows' assignment and routing state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.outbox import OutboxEntry
from crm_store.tables import leads
from leads.statuses import ASSIGNED, NEW


@dataclass(frozen=True)
class Placement:
    """Where one lead goes: a manager with an accept deadline, or its team's queue."""

    lead_id: int
    customer_id: int
    team: str | None
    manager_id: int | None
    routing: dict[str, Any]
    deadline: datetime | None
    message: OutboxEntry


_ASSIGN = (
    update(leads)
    .where(leads.c.id == bindparam("lead_id"))
    .values(
        status=bindparam("status"), manager_id=bindparam("manager_id"), team=bindparam("team"),
        routing=bindparam("routing"), offer_deadline_at=bindparam("deadline"),
        assigned_at=bindparam("assigned_at"),
    )
)


async def assign(connection: AsyncConnection, placement: Placement, now: datetime) -> None:
    """Offer one lead as placed (no message: the caller writes it)."""
    await connection.execute(_ASSIGN, [_assignment(placement, now)])


async def place(connection: AsyncConnection, placements: Sequence[Placement],
                now: datetime) -> None:
    """Write the leads' new routing state (their messages are the caller's to write)."""
    # One UPDATE per lead by primary key, on purpose: an UPDATE … FROM unnest(…) joined on the
    # id gets a generic plan with a sequential scan of leads when first prepared on a young,
    # never-analysed store, and asyncpg keeps that plan as the store grows.
    await connection.execute(_ASSIGN, [_assignment(p, now) for p in placements])


def _assignment(placement: Placement, now: datetime) -> dict[str, Any]:
    assigned = placement.manager_id is not None
    return {
        "lead_id": placement.lead_id, "status": ASSIGNED if assigned else NEW,
        "manager_id": placement.manager_id, "team": placement.team,
        "routing": placement.routing, "deadline": placement.deadline,
        "assigned_at": now if assigned else None,
    }
