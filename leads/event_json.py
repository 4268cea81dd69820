"""A ContactEvent as plain JSON and back, for events kept aside and fed to intake later."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from leads.model import ContactEvent, RawIdentity

_PLAIN = ("channel", "external_id", "name", "subject", "text", "raw_ref", "region",
          "direction", "callback", "ignored")


def event_to_json(event: ContactEvent) -> dict[str, Any]:
    """Everything of the event but its raw bytes (kept beside it)."""
    return {
        **{key: getattr(event, key) for key in _PLAIN},
        "occurred_at": event.occurred_at.isoformat(),
        "identities": [[i.kind, i.value] for i in event.identities],
        "attribution": dict(event.attribution),
        "details": dict(event.details),
        "replies_to": list(event.replies_to),
    }


def event_from_json(data: dict[str, Any], raw: bytes | None) -> ContactEvent:
    """The event `event_to_json` wrote, with its raw bytes."""
    plain: dict[str, Any] = {key: data[key] for key in _PLAIN if data.get(key) is not None}
    return ContactEvent(
        **plain,
        occurred_at=datetime.fromisoformat(data["occurred_at"]),
        identities=tuple(RawIdentity(kind, value) for kind, value in data["identities"]),
        attribution=data.get("attribution") or {},
        details=data.get("details") or {},
        replies_to=tuple(data.get("replies_to") or ()),
        raw=raw,
    )
