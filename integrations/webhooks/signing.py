"""The request a webhook receives (pure): JSON body, event, stable delivery id, signature."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

_NAMESPACE = uuid.UUID("5f2b8a52-7d1e-4c1b-9a63-2f7c1d0e8b41")


def delivery_id(webhook: str, event_id: str) -> str:
    """The same id for every attempt of one event to one webhook (receivers dedupe on it)."""
    return str(uuid.uuid5(_NAMESPACE, f"{webhook}\n{event_id}"))


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of the raw body with the secret>`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def request_of(secret: str, event: str, delivery: str, payload: dict[str, Any]
               ) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one delivery; the body is the same on every attempt."""
    body = json.dumps({"event": event, "delivery_id": delivery, "data": payload},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Leadgate-Webhooks/1",
        "X-Leadgate-Event": event,
        "X-Leadgate-Delivery": delivery,
        "X-Leadgate-Signature": signature(secret, body),
    }
    return body, headers


def next_attempt(now: datetime, attempts_made: int, base: float, ceiling: float
                 ) -> datetime:
    """Exponential backoff: base, 2×base, 4×base … capped at `ceiling` seconds."""
    return now + timedelta(seconds=min(base * 2 ** max(attempts_made - 1, 0), ceiling))
