"""`[[webhooks]]`: where lead events are POSTed, signed with a secret, and how hard to retry."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

EVENTS = ("lead.created", "lead.assigned", "lead.unassigned", "lead.withdrawn",
          "lead.sla_breached", "lead.accepted", "lead.closed", "call.ringing")
_EVENT = re.compile(r"^(lead|call)\.[a-z_]+$")


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    """One subscriber: its URL, secret, the events it wants, attempts and backoff."""

    name: str
    url: str
    secret: str = field(repr=False)
    events: frozenset[str] = frozenset(EVENTS)
    max_attempts: int = 8
    backoff_seconds: float = 30.0
    max_backoff_seconds: float = 3600.0
    timeout_seconds: float = 10.0

    def wants(self, event: str) -> bool:
        """Whether this webhook subscribed to `event` (`*` subscribes to all)."""
        return "*" in self.events or event in self.events


def webhooks_from_toml(entries: Any) -> list[WebhookSettings]:
    """Every `[[webhooks]]` entry; ValueError names the entry and the key."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ValueError("webhooks must be an array of tables: [[webhooks]]")
    found = [_one(entry, n) for n, entry in enumerate(entries, 1)]
    names = [w.name for w in found]
    if len(set(names)) != len(names):
        raise ValueError("[[webhooks]]: two entries have the same name (or URL)")
    return found


def _one(entry: Any, position: int) -> WebhookSettings:
    where = f"[[webhooks]] #{position}"
    if not isinstance(entry, dict):
        raise ValueError(f"{where} must be a table")
    url, secret = entry.get("url"), entry.get("secret")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ValueError(f"{where}: url must be an http(s) URL")
    if not isinstance(secret, str) or len(secret) < 8:
        raise ValueError(f"{where}: secret must be a string of 8 characters or more")
    events = entry.get("events", list(EVENTS))
    if not isinstance(events, list) or not all(
        isinstance(e, str) and (e == "*" or _EVENT.match(e)) for e in events
    ):
        raise ValueError(f"{where}: events must list names like {', '.join(EVENTS[:3])} or *")
    name = entry.get("name") or hashlib.sha256(url.encode()).hexdigest()[:12]
    return WebhookSettings(
        name=str(name)[:64], url=url, secret=secret, events=frozenset(events),
        max_attempts=_number(entry, where, "max_attempts", 8, int),
        backoff_seconds=_number(entry, where, "backoff_seconds", 30.0, float),
        max_backoff_seconds=_number(entry, where, "max_backoff_seconds", 3600.0, float),
        timeout_seconds=_number(entry, where, "timeout_seconds", 10.0, float),
    )


def _number(entry: dict[str, Any], where: str, key: str, default: Any, kind: type) -> Any:
    value = entry.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0 or (
        kind is int and not isinstance(value, int)
    ):
        raise ValueError(f"{where}: {key} must be a positive number")
    return kind(value)
