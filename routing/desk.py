"""What happens to a lead after routing: accept, pass, close, SLA re-offers and queue draining."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.outbox import OutboxSignal
from crm_store.routing_store import LeadState, SqlRoutingStore
from crm_store.uow import SqlUnitOfWork
from leads.errors import LeadConflict, LeadNotFound
from leads.model import utcnow
from leads.statuses import ACCEPTABLE_STATUSES, ACCEPTED, ASSIGNED, CLOSED_STATUSES, NEW
from routing import messages
from routing.offers import TeamBoard, carry_out, decide, hours_of, offer, write_message

log = logging.getLogger(__name__)

_DRAIN_BATCH = 50


class LeadDesk:
    """Changes of a lead's routing state, each in its own transaction with its outbox messages."""

    def __init__(self, engine: AsyncEngine, signal: OutboxSignal | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._engine = engine
        self._signal = signal or OutboxSignal()
        self.clock = clock

    async def accept(self, lead_id: int, manager_id: int | None) -> dict[str, Any]:
        """The manager (the current assignee when None) takes the lead; they own the card."""
        async with SqlUnitOfWork(self._engine) as uow:
            store = uow.routing
            lead = await self._lead(store, lead_id)
            taker = manager_id if manager_id is not None else lead.manager_id
            if taker is None:
                raise LeadConflict("the lead is waiting in the team queue: name the manager")
            if lead.status == ACCEPTED and lead.manager_id == taker:
                return {"lead_id": lead_id, "status": ACCEPTED, "manager_id": taker}
            if lead.status not in ACCEPTABLE_STATUSES:
                raise LeadConflict(f"the lead is {lead.status} and cannot be accepted")
            if lead.status == ASSIGNED and lead.manager_id != taker:
                raise LeadConflict("the lead is offered to another manager")
            if lead.status == NEW and await store.manager(taker) is None:
                raise LeadConflict(f"there is no manager {taker}")
            if lead.manager_id != taker:
                await store.assign(lead_id, lead.customer_id, taker, lead.team,
                                   lead.routing, self.clock(), self.clock())
            now = self.clock()
            await store.set_status(lead_id, now, ACCEPTED,
                                   await _contact_due(store, lead.team, taker, now))
            await store.make_owner(lead.customer_id, taker)
            await uow.commit()
        return {"lead_id": lead_id, "status": ACCEPTED, "manager_id": taker}

    async def pass_on(self, lead_id: int, manager_id: int) -> dict[str, Any]:
        """The offered manager declines: the lead goes to the next candidate or the queue."""
        async with SqlUnitOfWork(self._engine) as uow:
            store = uow.routing
            lead = await self._lead(store, lead_id)
            if lead.status != ASSIGNED or lead.manager_id != manager_id:
                raise LeadConflict("only the manager the lead is offered to can pass it on")
            choice = await offer(store, lead_id, lead.customer_id, await store.team(
                lead.team or ""), lead.routing, None, self.clock())
            await uow.commit()
        self._signal.ring()
        return {"lead_id": lead_id, "manager_id": choice.manager_id, "reason": choice.reason}

    async def close(self, lead_id: int, status: str, manager_id: int | None) -> dict[str, Any]:
        """Close the lead as won, lost or spam; the freed manager may take a waiting lead."""
        if status not in CLOSED_STATUSES:
            raise LeadConflict(f"status must be one of {', '.join(CLOSED_STATUSES)}")
        async with SqlUnitOfWork(self._engine) as uow:
            store = uow.routing
            lead = await self._lead(store, lead_id)
            if lead.status in CLOSED_STATUSES:
                if lead.status == status:
                    return {"lead_id": lead_id, "status": status}
                raise LeadConflict(f"the lead is already closed as {lead.status}")
            if manager_id is not None and lead.manager_id != manager_id:
                raise LeadConflict("the lead is not yours")
            await store.set_status(lead_id, self.clock(), status)
            await uow.commit()
        if lead.team:
            await self.drain(lead.team)
        return {"lead_id": lead_id, "status": status}

    async def sweep(self, now: datetime | None = None) -> int:
        """Re-offer leads whose accept time ran out, then drain every waiting queue."""
        now = now or self.clock()
        async with self._engine.connect() as conn:
            expired = await SqlRoutingStore(conn).expired_offers(now)
            teams = await SqlRoutingStore(conn).waiting_teams()
        for lead_id in expired:
            await self._reoffer(lead_id, now)
        moved = len(expired)
        for team in teams:
            moved += await self.drain(team, now)
        return moved

    async def drain(self, team_name: str, now: datetime | None = None) -> int:
        """Assign the team's waiting leads, oldest first, while a member can take one."""
        now = now or self.clock()
        assigned = 0
        async with self._engine.connect() as conn:
            waiting = await SqlRoutingStore(conn).waiting_leads(team_name, _DRAIN_BATCH)
        for lead_id in waiting:
            async with SqlUnitOfWork(self._engine) as uow:
                store = uow.routing
                lead = await store.lead_state(lead_id, lock=True)
                if lead is None or lead.status != NEW or lead.manager_id is not None:
                    continue
                board = await TeamBoard.load(store, await store.team(team_name))
                choice, manager = await decide(store, board, lead.routing, None, now)
                if choice.manager_id is None:
                    continue  # a lead every member already let lapse waits for the team lead
                await carry_out(store, lead_id, lead.customer_id, board, lead.routing, choice,
                                manager, now)
                await uow.commit()
                assigned += 1
        if assigned:
            self._signal.ring()
        return assigned

    async def _reoffer(self, lead_id: int, now: datetime) -> None:
        async with SqlUnitOfWork(self._engine) as uow:
            store = uow.routing
            lead = await store.lead_state(lead_id, lock=True)
            deadline = lead.offer_deadline_at if lead else None
            if lead is None or lead.status != ASSIGNED or deadline is None or deadline > now:
                return  # accepted, passed or re-offered meanwhile (another process, a click)
            previous = await store.manager(lead.manager_id) if lead.manager_id else None
            team = await store.team(lead.team or "")
            lapsed = len(lead.routing.get("offers", []))
            choice = await offer(store, lead_id, lead.customer_id, team, lead.routing, None, now)
            if previous is not None:
                await write_message(store, messages.withdrawn(
                    lead_id, lapsed, messages.manager_card(previous),
                    "not accepted in time"), now)
            if choice.manager_id is None and team is not None and team.lead_manager_id:
                team_lead = await store.manager(team.lead_manager_id)
                await write_message(store, messages.sla_breached(
                    lead_id, lapsed, team_lead, team.name, lead.routing.get("summary", {})), now)
            await uow.commit()
        log.info("lead %d not accepted in time: %s", lead_id, choice.reason,
                 extra={"lead_id": lead_id})
        self._signal.ring()

    async def _lead(self, store: SqlRoutingStore, lead_id: int) -> LeadState:
        lead = await store.lead_state(lead_id, lock=True)
        if lead is None:
            raise LeadNotFound(f"there is no lead {lead_id}")
        return lead


async def _contact_due(store: SqlRoutingStore, team_name: str | None, manager_id: int,
                       now: datetime) -> datetime | None:
    """When the accepting manager must have reached the customer: the team's contact_minutes
    of their working time from now; None when the team sets no contact time."""
    team = await store.team(team_name or "")
    if team is None or team.contact_minutes is None:
        return None
    manager = await store.manager(manager_id)
    hours = hours_of(manager.hours if manager is not None else None)
    return hours.add_working_time(now, timedelta(minutes=team.contact_minutes))
