"""Who may act on a lead: a manager only on their own, those offered to them, their team queue.

Admins may act on any lead. A manager who may not touch a lead is told it does not exist, the
same answer as for an id nobody holds, so lead ids cannot be probed.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.routing_store import SqlRoutingStore

Action = Literal["accept", "pass", "close"]


async def manager_may(engine: AsyncEngine, lead_id: int, manager_id: int | None,
                      action: Action) -> bool:
    """True when this manager (not an admin) may carry out `action` on the lead."""
    if manager_id is None:
        return False
    async with engine.connect() as conn:
        store = SqlRoutingStore(conn)
        lead = await store.lead_state(lead_id)
        if lead is None:
            return False
        if lead.manager_id == manager_id:
            return True
        if action != "accept" or lead.manager_id is not None or not lead.team:
            return False
        team = await store.team(lead.team)
        return team is not None and any(m.id == manager_id for m in await store.members(team.id))
