"""Routing's reads and writes: team members with their load, assignments, queues (and outbox)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store import direct, placements, team_locks
from crm_store.columns import in_commit_order
from crm_store.outbox import SqlOutbox
from crm_store.placements import Placement
from crm_store.routing_tables import manager_loads, managers, team_members, teams
from crm_store.tables import customers, leads, touches
from leads.statuses import ACCEPTED, ASSIGNED, NEW


@dataclass(frozen=True)
class TeamRow:
    """A team as routing needs it."""

    id: int
    name: str
    accept_minutes: float
    lead_manager_id: int | None
    contact_minutes: float | None = None


@dataclass(frozen=True)
class LeadState:
    """A lead's routing state, read inside the transaction that changes it."""

    id: int
    customer_id: int
    status: str
    manager_id: int | None
    team: str | None
    routing: dict[str, Any]
    owner_manager_id: int | None
    offer_deadline_at: datetime | None


# Kept by the database in every transaction that changes a lead (see manager_loads): one row,
# where counting the manager's leads grew with the store.
_LOAD = func.coalesce(
    select(manager_loads.c.load)
    .where(manager_loads.c.manager_id == managers.c.id)
    .scalar_subquery(),
    0,
).label("load")
# The last assignment is read from the leads, not stamped on the manager's row: concurrent intake
# transactions updating the same few manager rows would queue behind each other and deadlock.
_LAST_ASSIGNED = (
    select(func.max(leads.c.assigned_at))
    .where(leads.c.manager_id == managers.c.id)
    .scalar_subquery()
    .label("last_assigned_at")
)
_MANAGER_COLUMNS = (
    managers.c.id, managers.c.login, managers.c.name, managers.c.email,
    managers.c.telegram_chat_id, managers.c.extension, managers.c.available, managers.c.hours,
    managers.c.capacity, managers.c.languages, managers.c.regions, _LAST_ASSIGNED, _LOAD,
)
_MEMBERS = (
    select(*_MANAGER_COLUMNS)
    .join(team_members, team_members.c.manager_id == managers.c.id)
    .where(team_members.c.team_id == bindparam("team_id"))
    .order_by(managers.c.id)
)
_MANAGER = select(*_MANAGER_COLUMNS).where(managers.c.id == bindparam("manager_id"))
_TEAM = select(teams.c.id, teams.c.name, teams.c.accept_minutes, teams.c.lead_manager_id,
              teams.c.contact_minutes).where(
    teams.c.name == bindparam("name")
)
_LEAD_STATE = (
    select(
        leads.c.id, leads.c.customer_id, leads.c.status, leads.c.manager_id, leads.c.team,
        leads.c.routing, customers.c.owner_manager_id, leads.c.offer_deadline_at,
    )
    .join(customers, customers.c.id == leads.c.customer_id)
    .where(leads.c.id == bindparam("lead_id"))
)


class SqlRoutingStore:
    """Routing statements on one connection, inside the caller's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.outbox = SqlOutbox(connection)

    async def team(self, name: str) -> TeamRow | None:
        """The team called `name`, if configured."""
        row = (await self.connection.execute(_TEAM, {"name": name})).first()
        return TeamRow(*row) if row else None

    async def boards(self, names: Sequence[str]) -> dict[str, tuple[TeamRow, list[Any]]]:
        """The configured teams among `names`, each with its members as `members` reads them; on
        PostgreSQL one round trip, which first waits until no other transaction is choosing among
        these teams' managers and holds that until this transaction ends (SQLite needs nothing:
        its writers take turns)."""
        if not names:
            return {}
        if self.connection.dialect.name != "postgresql":
            teams = [TeamRow(*row) for row in await team_locks.read_teams(self.connection, names)]
            return {team.name: (team, await self.members(team.id)) for team in teams}
        found: dict[str, tuple[TeamRow, list[Any]]] = {}
        for row in await team_locks.lock_boards(self.connection, names):
            _, members = found.setdefault(row.team_name, (TeamRow(
                row.team_id, row.team_name, row.accept_minutes, row.lead_manager_id,
                row.contact_minutes), []))
            if row.id is not None:
                members.append(row)
        return found

    async def members(self, team_id: int) -> list[Any]:
        """The team's managers with their current load, in id order."""
        return await direct.rows(self.connection, _MEMBERS, {"team_id": team_id})

    async def manager(self, manager_id: int) -> Any | None:
        """One manager with their current load."""
        return await direct.first(self.connection, _MANAGER, {"manager_id": manager_id})

    async def lead_state(self, lead_id: int, lock: bool = False) -> LeadState | None:
        """A lead's routing state; `lock` holds the row until the transaction ends (PostgreSQL)."""
        statement = _LEAD_STATE.with_for_update(of=leads) if lock else _LEAD_STATE
        row = (await self.connection.execute(statement, {"lead_id": lead_id})).first()
        if row is None:
            return None
        return LeadState(row.id, row.customer_id, row.status, row.manager_id, row.team,
                         dict(row.routing or {}), row.owner_manager_id, row.offer_deadline_at)

    async def assign(
        self, lead_id: int, customer_id: int, manager_id: int, team: str | None,
        routing: dict[str, Any], deadline: datetime, now: datetime,
    ) -> None:
        """Offer one lead to `manager_id` until `deadline` (no message: the caller writes it)."""
        # An offer does not make an owner: the card is the manager's once they accept.
        await placements.assign(self.connection, Placement(
            lead_id, customer_id, team, manager_id, routing, deadline, ("", "", {})), now)

    async def place(self, placed: Sequence[Placement], now: datetime) -> None:
        """Apply many placements: lead rows and messages in the outbox (no card changes owner)."""
        if placed:
            await placements.place(self.connection, placed, now)
            await self.outbox.add([p.message for p in placed], now)

    async def set_status(self, lead_id: int, now: datetime, status: str,
                         contact_due_at: datetime | None = None) -> None:
        """Accept (`accepted`, to be contacted by `contact_due_at`) or close a lead."""
        values: dict[str, Any] = {"status": status, "offer_deadline_at": None}
        change = "accepted" if status == ACCEPTED else "closed"
        values[f"{change}_at"] = now
        values[f"{change}_txid"] = in_commit_order(self.connection.dialect,
                                                   leads.c[f"{change}_txid"])
        if status == ACCEPTED:
            values["contact_due_at"] = contact_due_at
        await self.connection.execute(update(leads).where(leads.c.id == lead_id).values(values))

    async def make_owner(self, customer_id: int, manager_id: int) -> None:
        """The manager who accepted a lead owns the card from now on."""
        await self.connection.execute(
            update(customers).where(customers.c.id == customer_id)
            .values(owner_manager_id=manager_id)
        )

    async def expired_offers(self, now: datetime, limit: int = 100) -> list[int]:
        """Assigned leads whose accept time ran out."""
        rows = await self.connection.execute(
            select(leads.c.id)
            .where(leads.c.status == ASSIGNED, leads.c.offer_deadline_at <= now)
            .order_by(leads.c.offer_deadline_at).limit(limit)
        )
        return [row.id for row in rows]

    async def waiting_teams(self) -> list[str]:
        """Teams with leads waiting in their queue."""
        rows = await self.connection.execute(
            select(leads.c.team).distinct()
            .where(leads.c.status == NEW, leads.c.team.is_not(None), leads.c.manager_id.is_(None))
        )
        return [row.team for row in rows]

    async def waiting_leads(self, team: str, limit: int) -> list[int]:
        """The team's waiting leads, oldest first."""
        rows = await self.connection.execute(
            select(leads.c.id)
            .where(and_(leads.c.status == NEW, leads.c.team == team,
                        leads.c.manager_id.is_(None)))
            .order_by(leads.c.created_at, leads.c.id).limit(limit)
        )
        return [row.id for row in rows]


async def customer_chat(connection: AsyncConnection, lead_id: int) -> tuple[str, int] | None:
    """The bot and Telegram chat the lead's customer last wrote from, if they ever did."""
    customer = select(leads.c.customer_id).where(leads.c.id == lead_id).scalar_subquery()
    row = (await connection.execute(
        select(touches.c.details)
        .where(touches.c.customer_id == customer, touches.c.channel == "telegram",
               touches.c.direction == "inbound")
        .order_by(touches.c.occurred_at.desc()).limit(1)
    )).first()
    if row is None or not row.details.get("bot") or not row.details.get("chat_id"):
        return None
    return str(row.details["bot"]), int(row.details["chat_id"])
