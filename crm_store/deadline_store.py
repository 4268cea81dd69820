"""The speed-to-lead deadlines as rows: callbacks due, callbacks overdue, contacts overdue.

Each deadline is a moment on the lead (`callback_due_at`, `contact_due_at`) and a column that
records it was acted on (`callback_reminded_at`, `callback_escalated_at`, `contact_overdue_at`),
so a restart neither loses nor repeats one, and two processes act on each once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.routing_tables import teams
from crm_store.tables import customers, leads
from leads.statuses import OPEN_STATUSES


class Deadline(Enum):
    """The three deadlines: which moment they watch and which column marks them handled."""

    CALLBACK_DUE = ("callback_due_at", "callback_reminded_at")
    CALLBACK_OVERDUE = ("callback_due_at", "callback_escalated_at")
    CONTACT_OVERDUE = ("contact_due_at", "contact_overdue_at")

    @property
    def moment(self) -> Any:
        """The lead column holding the deadline."""
        return leads.c[self.value[0]]

    @property
    def handled(self) -> Any:
        """The lead column set once the deadline was acted on."""
        return leads.c[self.value[1]]


def _pending(deadline: Deadline, cutoff: datetime) -> ColumnElement[bool]:
    waiting = (leads.c.callback_done_at.is_(None) if deadline is not Deadline.CONTACT_OVERDUE
               else leads.c.contacted_at.is_(None))
    return and_(deadline.moment <= cutoff, deadline.handled.is_(None), waiting,
                leads.c.status.in_(OPEN_STATUSES))


@dataclass(frozen=True)
class DeadlineLead:
    """What a deadline message needs to know about its lead."""

    id: int
    customer_id: int
    status: str
    manager_id: int | None
    owner_manager_id: int | None
    team: str | None
    team_lead_id: int | None
    due_at: datetime
    summary: dict[str, Any]


async def lapsed(conn: AsyncConnection, deadline: Deadline, cutoff: datetime,
                 limit: int = 100) -> list[int]:
    """Leads whose `deadline` passed at or before `cutoff` and was not acted on yet."""
    rows = await conn.execute(
        select(leads.c.id).where(_pending(deadline, cutoff))
        .order_by(deadline.moment, leads.c.id).limit(limit)
    )
    return [row.id for row in rows]


async def claim(conn: AsyncConnection, deadline: Deadline, lead_id: int, cutoff: datetime,
                now: datetime) -> DeadlineLead | None:
    """Mark the deadline handled if it still is lapsed; the lead as it stands, else None.

    Called in the transaction that writes the deadline's messages: the row lock makes a second
    process wait, then find the deadline handled.
    """
    row = (await conn.execute(
        select(leads.c.id, leads.c.customer_id, leads.c.status, leads.c.manager_id, leads.c.team,
               leads.c.routing, deadline.moment.label("due_at"), customers.c.owner_manager_id,
               teams.c.lead_manager_id)
        .join(customers, customers.c.id == leads.c.customer_id)
        .outerjoin(teams, teams.c.name == leads.c.team)
        .where(leads.c.id == lead_id, _pending(deadline, cutoff))
        .with_for_update(of=leads)
    )).first()
    if row is None:
        return None
    await conn.execute(update(leads).where(leads.c.id == lead_id).values(
        {deadline.handled: now}))
    return DeadlineLead(row.id, row.customer_id, row.status, row.manager_id,
                        row.owner_manager_id, row.team, row.lead_manager_id, row.due_at,
                        dict((row.routing or {}).get("summary", {})))
