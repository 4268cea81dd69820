"""Who may see which lead and card: one rule for the API and the workspace.

An admin sees everything. A manager sees the leads offered to or taken by them, the leads
waiting in the queue of a team they belong to (they may take those), and the cards on which
they own the customer or see one of the leads.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.routing_tables import team_members, teams
from crm_store.tables import leads
from crm_store.tokens import Principal
from leads.statuses import NEW


async def teams_of(conn: AsyncConnection, principal: Principal) -> frozenset[str]:
    """The names of the teams the principal's manager belongs to."""
    if principal.manager_id is None:
        return frozenset()
    names = await conn.scalars(
        select(teams.c.name).join(team_members, team_members.c.team_id == teams.c.id)
        .where(team_members.c.manager_id == principal.manager_id))
    return frozenset(names)


def may_see_lead(principal: Principal, lead: Mapping[str, Any], teams: Collection[str]) -> bool:
    """Whether the principal may see this lead (a mapping with manager_id, status, team)."""
    if principal.is_admin:
        return True
    if lead["manager_id"] is not None:
        return bool(lead["manager_id"] == principal.manager_id)
    return lead["status"] == NEW and lead.get("team") in teams


def may_see_card(principal: Principal, card: Mapping[str, Any], teams: Collection[str]) -> bool:
    """Whether the principal may see this customer card (with its owner and leads)."""
    if principal.is_admin or card["owner_manager_id"] == principal.manager_id:
        return principal.is_admin or principal.manager_id is not None
    return any(may_see_lead(principal, lead, teams) for lead in card["leads"])


def visible_leads(principal: Principal, teams: Collection[str]) -> ColumnElement[bool]:
    """The same rule as a WHERE clause over `leads`."""
    if principal.is_admin:
        return true()
    queued = and_(leads.c.manager_id.is_(None), leads.c.status == NEW,
                  leads.c.team.in_(list(teams)))
    return or_(leads.c.manager_id == principal.manager_id, queued)
