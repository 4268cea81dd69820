"""RulesRouter: picks the team and manager of each new lead, inside the intake transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from crm_store.routing_store import SqlRoutingStore
from leads.model import utcnow
from leads.ports import Announcement, Assignment, LeadToOpen, NewLead
from leads.statuses import ASSIGNED, NEW
from routing import offers
from routing.config import RoutingConfig
from routing.messages import lead_summary
from routing.offers import TeamBoard, decide
from routing.rules import LeadFacts, first_matching, lead_facts


class RulesRouter:
    """The LeadRouter of a configured service: first matching rule → team → manager or queue.

    It reads and writes through the intake transaction's `uow.routing`: the teams' boards
    before the leads are stored, their outbox messages after.
    """

    def __init__(self, config: RoutingConfig) -> None:
        self._config = config

    async def assign(self, routing_store: SqlRoutingStore, new: Sequence[LeadToOpen]
                     ) -> list[Assignment]:
        """Where each new lead goes, decided before it is stored: one read per team, no write."""
        now = utcnow()
        assignments = []
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
            decision = offers.decided(board.team, routing, choice, manager, now)
            if decision.manager is not None:
                for seen in boards.values():  # a manager may sit in several teams
                    seen.took_one(decision.manager.id, now)
            assignments.append(_assignment(decision, now))
        return assignments

    async def announce(self, routing_store: SqlRoutingStore,
                       opened: Sequence[tuple[NewLead, Assignment]]) -> None:
        """Put the stored leads' messages in the outbox, in the intake transaction."""
        if opened:
            await routing_store.outbox.add(self.announcements(opened), utcnow())

    def announcements(self, opened: Sequence[tuple[NewLead, Assignment]]
                      ) -> list[Announcement]:
        """Each lead's outbox message: offered to its manager, or waiting in its team's queue."""
        return [assignment.note.message(lead.lead_id) for lead, assignment in opened]

    async def _boards(self, store: SqlRoutingStore, names: set[str | None]
                      ) -> dict[str | None, TeamBoard]:
        """Every team's board, all their locks taken at once (in one order: no deadlock)."""
        found = await store.boards([name for name in names if name])
        return {name: TeamBoard.of(*found[name]) if name in found else TeamBoard.of(None, [])
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


def _assignment(decision: offers.Decision, now: datetime) -> Assignment:
    """The lead row's routing columns as decided."""
    manager = decision.manager
    return Assignment(
        ASSIGNED if manager is not None else NEW,
        decision.team.name if decision.team else None,
        manager.id if manager is not None else None,
        manager.name if manager is not None else None,
        decision.routing, decision.deadline, now if manager is not None else None, decision,
    )
