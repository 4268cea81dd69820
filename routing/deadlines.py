"""Speed-to-lead deadlines: callback reminders and escalations, contacts not made in time.

- at a callback's due time: `lead.callback_due.<manager>` (the reminder: managers' bot, mail,
  AMQP) and `lead.callback_overdue.<manager>`;
- `grace` later, if still not called back: `lead.callback_overdue.<team lead>`;
- at an accepted lead's `contact_due_at` (the team's `contact_minutes` of the manager's working
  time after accepting), if nobody reached the customer: `lead.contact_overdue.<team lead>`.
A reply or an answered call on any channel closes the callback (intake), so nothing fires.
The manager is the lead's, else the card's owner; without one the team lead gets the reminder.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store import deadline_store
from crm_store.deadline_store import Deadline, DeadlineLead
from crm_store.outbox import OutboxSignal
from crm_store.routing_store import SqlRoutingStore
from crm_store.uow import SqlUnitOfWork
from leads.model import utcnow
from routing import deadline_messages as messages
from routing.messages import OutboxMessage

log = logging.getLogger(__name__)


class DeadlineDesk:
    """Acts on lapsed deadlines, each once, in the transaction that writes its messages."""

    def __init__(self, engine: AsyncEngine, grace: timedelta,
                 signal: OutboxSignal | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._engine = engine
        self.grace = grace
        self._signal = signal or OutboxSignal()
        self.clock = clock

    async def sweep(self, now: datetime | None = None) -> int:
        """Handle every deadline lapsed by `now`; how many were handled."""
        now = now or self.clock()
        handled = 0
        for deadline, cutoff in ((Deadline.CALLBACK_DUE, now),
                                 (Deadline.CALLBACK_OVERDUE, now - self.grace),
                                 (Deadline.CONTACT_OVERDUE, now)):
            async with self._engine.connect() as conn:
                lapsed = await deadline_store.lapsed(conn, deadline, cutoff)
            for lead_id in lapsed:
                handled += await self._handle(deadline, lead_id, cutoff, now)
        if handled:
            self._signal.ring()
        return handled

    async def _handle(self, deadline: Deadline, lead_id: int, cutoff: datetime,
                      now: datetime) -> int:
        async with SqlUnitOfWork(self._engine) as uow:
            lead = await deadline_store.claim(uow.connection, deadline, lead_id, cutoff, now)
            if lead is None:
                return 0  # done, closed or handled meanwhile (another process, a reply)
            found = await self._messages(uow.routing, deadline, lead)
            if found:
                await uow.routing.outbox.add([m.as_row() for m in found], now)
            await uow.commit()
        log.info("lead %d: %s", lead_id, deadline.name.lower())
        return 1

    async def _messages(self, store: SqlRoutingStore, deadline: Deadline,
                        lead: DeadlineLead) -> list[OutboxMessage]:
        manager = await _row(store, lead.manager_id or lead.owner_manager_id)
        team_lead = await _row(store, lead.team_lead_id)
        if deadline is Deadline.CONTACT_OVERDUE:
            chief = team_lead or manager
            return [messages.contact_overdue(lead.id, chief, lead.manager_id, lead.due_at,
                                             lead.summary)] if chief else []
        if deadline is Deadline.CALLBACK_OVERDUE:
            return [messages.callback_overdue(lead.id, team_lead, lead.due_at, lead.summary,
                                              escalated=True)] if team_lead else []
        recipient = manager or team_lead
        if recipient is None:
            return []
        return [messages.callback_due(lead.id, recipient, lead.due_at, lead.summary),
                messages.callback_overdue(lead.id, recipient, lead.due_at, lead.summary,
                                          escalated=False)]


async def _row(store: SqlRoutingStore, manager_id: int | None) -> Any | None:
    return await store.manager(manager_id) if manager_id is not None else None
