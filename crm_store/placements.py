"""Where routing puts leads: the lead rows' assignment, one statement for a whole commit group."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.bulk import is_postgres, json_dumps
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
# A commit group's placements as one statement on PostgreSQL (see crm_store.bulk).
_ASSIGN_MANY = text("""
UPDATE leads SET status = v.status, manager_id = v.manager_id, team = v.team,
    routing = v.routing, offer_deadline_at = v.deadline, assigned_at = v.assigned_at
FROM unnest(CAST(:lead_id AS bigint[]), CAST(:status AS varchar[]),
            CAST(:manager_id AS bigint[]), CAST(:team AS varchar[]), CAST(:routing AS jsonb[]),
            CAST(:deadline AS timestamptz[]), CAST(:assigned_at AS timestamptz[]))
    AS v(lead_id, status, manager_id, team, routing, deadline, assigned_at)
WHERE leads.id = v.lead_id
""")


async def assign(connection: AsyncConnection, placement: Placement, now: datetime) -> None:
    """Offer one lead as placed (no message: the caller writes it)."""
    await connection.execute(_ASSIGN, [_assignment(placement, now)])


async def place(connection: AsyncConnection, placements: Sequence[Placement],
                now: datetime) -> None:
    """Write the leads' new routing state (their messages are the caller's to write)."""
    rows = [_assignment(p, now) for p in placements]
    if not is_postgres(connection) or len({p.lead_id for p in placements}) != len(rows):
        await connection.execute(_ASSIGN, rows)
        return
    dumps = json_dumps(connection)
    await connection.execute(_ASSIGN_MANY, {
        "lead_id": [row["lead_id"] for row in rows],
        "status": [row["status"] for row in rows],
        "manager_id": [row["manager_id"] for row in rows],
        "team": [row["team"] for row in rows],
        "routing": [dumps(row["routing"]) for row in rows],
        "deadline": [row["deadline"] for row in rows],
        "assigned_at": [row["assigned_at"] for row in rows],
    })


def _assignment(placement: Placement, now: datetime) -> dict[str, Any]:
    assigned = placement.manager_id is not None
    return {
        "lead_id": placement.lead_id, "status": ASSIGNED if assigned else NEW,
        "manager_id": placement.manager_id, "team": placement.team,
        "routing": placement.routing, "deadline": placement.deadline,
        "assigned_at": now if assigned else None,
    }
