"""The deadline messages routing writes to the outbox: callbacks due and overdue, contacts late."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from routing.messages import OutboxMessage, manager_card


def _deadline_payload(event: str, lead_id: int, recipient: Any, due_at: datetime,
                      summary: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"event": event, "lead_id": lead_id, "manager": manager_card(recipient),
            "due_at": due_at.isoformat(), "lead": summary, **extra}


def callback_due(lead_id: int, manager: Any, due_at: datetime,
                 summary: dict[str, Any]) -> OutboxMessage:
    """`lead.callback_due.<manager>`: call the customer back now (a missed call's callback)."""
    return OutboxMessage(
        f"lead.callback_due:{lead_id}:{due_at.timestamp():.0f}",
        f"lead.callback_due.{manager.id}",
        _deadline_payload("lead.callback_due", lead_id, manager, due_at, summary),
    )


def callback_overdue(lead_id: int, recipient: Any, due_at: datetime, summary: dict[str, Any],
                     escalated: bool) -> OutboxMessage:
    """`lead.callback_overdue.<id>`: to the manager at the due time, then to the team lead.

    The manager's copy is for the team's systems (the reminder already told them): notifiers
    stay quiet on it; the team lead's copy, after the grace time, is an alert.
    """
    stage = "team_lead" if escalated else "manager"
    return OutboxMessage(
        f"lead.callback_overdue:{lead_id}:{due_at.timestamp():.0f}:{stage}",
        f"lead.callback_overdue.{recipient.id}",
        _deadline_payload("lead.callback_overdue", lead_id, recipient, due_at, summary,
                          to=stage, notify=escalated),
    )


def contact_overdue(lead_id: int, team_lead: Any, manager_id: int | None, due_at: datetime,
                    summary: dict[str, Any]) -> OutboxMessage:
    """`lead.contact_overdue.<team lead>`: an accepted lead nobody reached in time."""
    return OutboxMessage(
        f"lead.contact_overdue:{lead_id}:{due_at.timestamp():.0f}",
        f"lead.contact_overdue.{team_lead.id}",
        _deadline_payload("lead.contact_overdue", lead_id, team_lead, due_at, summary,
                          manager_id=manager_id),
    )
