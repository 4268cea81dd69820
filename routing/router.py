"""RulesRouter: picks the team and manager of each new lead, inside the intake transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crm_store.routing_store import SqlRoutingStore
from leads.model import utcnow
from leads.ports import NewLead
from routing.config import RoutingConfig
from routing.messages import lead_summary
from routing.offers import TeamBoard, decide, place, write
from routing.rules import LeadFacts, first_matching, lead_facts


class RulesRouter:
    """The LeadRouter of a configured service: first matching rule → team → manager or queue.

    It writes through the intake transaction's `uow.routing` (assignment and outbox message).
    """

    def __init__(self, config: RoutingConfig) -> None:
        self._config = config

    async def route_new_lead(self, routing_store: SqlRoutingStore, lead: NewLead) -> str | None:
        """Record the decision on the lead and write its message; the chosen manager's name."""
        return (await self.route_new_leads(routing_store, [lead])).get(lead.lead_id)

    async def route_new_leads(self, routing_store: SqlRoutingStore, new: Sequence[NewLead]
                              ) -> dict[int, str]:
        """Route many new leads of one transaction with one read per team and batched writes."""
        now = utcnow()
        placements = []
        names: dict[int, str] = {}
        decided = [(lead, facts, *self.team_for(facts))
                   for lead, facts in ((lead, lead_facts(lead.event)) for lead in new)]
        boards = await self._boards(routing_store, {team for _, _, team, _ in decided})
        for lead, facts, team_name, why in decided:
            board = boards[team_name]
            routing: dict[str, Any] = {
                "rule": why, "team": team_name, "language": facts.get("language"),
                "country": facts.get("country"),
                "summary": lead_summary(lead.event, lead.customer_id),
            }
            choice, manager = await decide(routing_store, board, routing,
                                           lead.owner_manager_id, now)
            placements.append(place(lead.lead_id, lead.customer_id, board.team, routing, choice,
                                    manager, now))
            if manager is not None:
                for seen in boards.values():  # a manager may sit in several teams
                    seen.took_one(manager.id, now)
                names[lead.lead_id] = manager.name
        await write(routing_store, placements, now)
        return names

    async def _boards(self, store: SqlRoutingStore, names: set[str | None]
                      ) -> dict[str | None, TeamBoard]:
        """Every team's board, all their locks taken at once (in one order: no deadlock)."""
        teams = await store.lock_teams([name for name in names if name])
        return {name: await TeamBoard.load(store, teams.get(name) if name else None, locked=True)
                for name in names}

    def team_for(self, facts: LeadFacts) -> tuple[str | None, dict[str, Any]]:
        """The team a lead goes to, and which rule (or fallback) said so."""
        rule = first_matching(self._config.rules, facts)
        if rule is not None:
            return rule.team, rule.describe()
        hinted = facts.get("team")
        if hinted in self._config.teams:
            return hinted, {"position": None, "reason": "team named by the dialed number"}
        return self._config.default_team, {"position": None, "reason": "no rule matched: "
                                           "default team"}
