"""The AMQP messages routing writes to the outbox: routing keys, stable message ids, payloads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leads.ports import PreparedEvent

_TEXT_LIMIT = 500


@dataclass(frozen=True)
class OutboxMessage:
    """One message to publish: `message_id` is stable, so a redelivery is recognisable."""

    message_id: str
    routing_key: str
    payload: dict[str, Any]

    def as_row(self) -> tuple[str, str, dict[str, Any]]:
        """The message as the outbox stores it."""
        return self.message_id, self.routing_key, self.payload


def lead_summary(prepared: PreparedEvent, customer_id: int) -> dict[str, Any]:
    """What a manager needs to see about a new lead, kept with the lead for later offers."""
    event = prepared.event
    text = " ".join(part for part in (event.subject, event.text) if part)
    return {
        "customer_id": customer_id,
        "name": prepared.name,
        "channel": event.channel,
        "phones": [i.value for i in prepared.identities if i.kind == "phone"],
        "emails": [i.value for i in prepared.identities if i.kind == "email"],
        "text": text[:_TEXT_LIMIT],
        "attribution": {k: v for k, v in event.attribution.items() if isinstance(v, str)},
    }


def manager_card(row: Any) -> dict[str, Any]:
    """How a message names its manager (notifiers reach them with these fields)."""
    return {"id": row.id, "login": row.login, "name": row.name, "email": row.email,
            "telegram_chat_id": row.telegram_chat_id}


def assigned(lead_id: int, offer: int, manager: Any, team: str, summary: dict[str, Any],
             deadline: datetime, reason: str) -> OutboxMessage:
    """`lead.assigned.<manager>`: a lead is offered to a manager, to accept before `deadline`."""
    return OutboxMessage(
        f"lead.assigned:{lead_id}:{offer}",
        f"lead.assigned.{manager.id}",
        {"event": "lead.assigned", "lead_id": lead_id, "offer": offer, "team": team,
         "manager": manager_card(manager), "accept_by": deadline.isoformat(), "reason": reason,
         "lead": summary},
    )


def unassigned(lead_id: int, attempt: int, team: str | None, summary: dict[str, Any],
               reason: str) -> OutboxMessage:
    """`lead.unassigned`: nobody can take the lead now; it waits in the team queue."""
    return OutboxMessage(
        f"lead.unassigned:{lead_id}:{attempt}",
        "lead.unassigned",
        {"event": "lead.unassigned", "lead_id": lead_id, "team": team, "reason": reason,
         "lead": summary},
    )


def withdrawn(lead_id: int, offer: int, manager: dict[str, Any], reason: str) -> OutboxMessage:
    """`lead.withdrawn.<manager>`: an offer the manager did not accept in time was taken back."""
    return OutboxMessage(
        f"lead.withdrawn:{lead_id}:{offer}",
        f"lead.withdrawn.{manager['id']}",
        {"event": "lead.withdrawn", "lead_id": lead_id, "offer": offer, "manager": manager,
         "reason": reason},
    )


def sla_breached(lead_id: int, attempt: int, team_lead: Any, team: str,
                 summary: dict[str, Any]) -> OutboxMessage:
    """`lead.sla_breached.<team lead>`: every candidate let the accept time run out."""
    return OutboxMessage(
        f"lead.sla_breached:{lead_id}:{attempt}",
        f"lead.sla_breached.{team_lead.id}",
        {"event": "lead.sla_breached", "lead_id": lead_id, "team": team,
         "manager": manager_card(team_lead), "lead": summary},
    )


def ringing(manager: Any, linkedid: str, call: dict[str, Any],
            card: dict[str, Any] | None) -> OutboxMessage:
    """`call.ringing.<manager>`: a call rings the manager's extension; whose call it is."""
    return OutboxMessage(
        f"ringing:{linkedid}:{call['extension']}",
        f"call.ringing.{manager.id}",
        {"event": "call.ringing", "manager": manager_card(manager), "call": call,
         "lead_id": card.get("open_lead_id") if card else None,
         "card": card or {"phones": [call["caller"]], "name": call["caller_name"]}},
    )
