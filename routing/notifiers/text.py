"""How notification texts read: one builder per message kind, shared by Telegram and e-mail."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

_LEAD_MARK = re.compile(r"#(\d+)")


def lead_id_in(text: str | None) -> int | None:
    """The lead id a notification text names ("Lead #123"), for replies to it."""
    found = _LEAD_MARK.search(text or "")
    return int(found.group(1)) if found else None


def subject(routing_key: str, payload: dict[str, Any]) -> str:
    """A one-line title of the message."""
    lead = payload.get("lead_id")
    titles = {
        "lead.assigned": f"New lead #{lead}",
        "lead.withdrawn": f"Lead #{lead} was passed on",
        "lead.sla_breached": f"Lead #{lead} was not accepted in time",
        "call.ringing": f"Incoming call — lead #{lead}" if lead else "Incoming call",
        "lead.callback_due": f"Call back now — lead #{lead}",
        "lead.callback_overdue": f"Callback overdue — lead #{lead}",
        "lead.contact_overdue": f"Lead #{lead} was accepted but nobody reached the customer",
        "channel.silent": f"Channel {payload.get('channel')} is silent",
        "channel.recovered": f"Channel {payload.get('channel')} is receiving again",
    }
    return titles.get(routing_key.rsplit(".", 1)[0], f"Lead #{lead}")


def body(routing_key: str, payload: dict[str, Any], public_url: str | None) -> str:
    """The full notification text."""
    lines = [subject(routing_key, payload)]
    if routing_key.startswith("channel."):
        heard = _clock(str(payload.get("since", "")))
        return "\n".join([*lines, f"Last heard at {heard} UTC; allowed "
                                   f"{payload.get('silent_after_minutes')} working minutes."])
    lead = payload.get("lead") or payload.get("card") or {}
    if lead.get("name"):
        lines.append(f"Name: {lead['name']}")
    lines += [f"Phone: {p}" for p in lead.get("phones", [])]
    lines += [f"E-mail: {e}" for e in lead.get("emails", [])]
    if lead.get("channel"):
        source = lead.get("attribution", {}).get("utm_source")
        lines.append(f"Channel: {lead['channel']}" + (f" ({source})" if source else ""))
    if lead.get("text"):
        lines.append(f"“{lead['text']}”")
    if payload.get("due_at"):
        lines.append(f"Due {_clock(payload['due_at'])} UTC")
    if payload.get("accept_by"):
        lines.append(f"Accept by {_clock(payload['accept_by'])} UTC")
    if payload.get("reason") and routing_key.startswith("lead.withdrawn"):
        lines.append(f"Reason: {payload['reason']}")
    if public_url and lead.get("customer_id"):
        lines.append(f"Card: {public_url.rstrip('/')}/api/customers/{lead['customer_id']}")
    return "\n".join(lines)


def _clock(moment: str) -> str:
    try:
        return datetime.fromisoformat(moment).strftime("%H:%M")
    except ValueError:
        return moment
