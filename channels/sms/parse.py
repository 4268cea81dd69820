"""Inbound SMS, whatever the gateway, → ContactEvent (pure: no I/O)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from leads.errors import Malformed
from leads.model import ContactEvent, RawIdentity


@dataclass(frozen=True, slots=True)
class Ignored:
    """A known request that is no message (a delivery report): answer 200, store nothing."""

    reason: str


@dataclass(frozen=True, slots=True)
class Part:
    """Where a part of a long message belongs: its reference, the total and its number."""

    ref: str
    total: int
    number: int


@dataclass(frozen=True, slots=True)
class InboundSms:
    """One text message from a customer, as any gateway reports it."""

    provider: str
    message_id: str
    sender: str
    recipient: str
    text: str
    received_at: datetime | None = None
    keyword: str | None = None
    part: Part | None = None
    details: dict[str, Any] = field(default_factory=dict)


Parsed = InboundSms | Ignored


def decode_body(content_type: str, body: bytes) -> dict[str, Any]:
    """A JSON object or a urlencoded form as a dict (last value of a repeated form key wins)."""
    try:
        if "json" not in content_type:
            return dict(
                parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=bool(body))
            )
        value = json.loads(body)
    except RecursionError as err:
        raise Malformed("the JSON body is nested too deeply") from err
    except (UnicodeDecodeError, ValueError) as err:
        raise Malformed(f"the body is neither JSON nor a form: {type(err).__name__}") from err
    if not isinstance(value, dict):
        raise Malformed("the JSON body must be an object")
    return value


def to_event(sms: InboundSms, region: str | None, raw: bytes | None = None) -> ContactEvent:
    """The touch an inbound SMS makes; numbers without '+' are international (gateways' habit)."""
    attribution = {"provider": sms.provider, "did": international(sms.recipient)}
    if sms.keyword:
        attribution["keyword"] = sms.keyword
    return ContactEvent(
        channel="sms",
        external_id=f"{sms.provider}:{sms.message_id}",
        occurred_at=sms.received_at or datetime.now(UTC),
        identities=(RawIdentity("phone", international(sms.sender)),),
        text=sms.text,
        attribution=attribution,
        details={"provider": sms.provider, **sms.details},
        raw=raw,
        region=region,
    )


def international(number: str) -> str:
    """'998901234567' → '+998901234567'; other forms (alphanumeric senders) stay as they are."""
    stripped = number.strip()
    return f"+{stripped}" if stripped.isdigit() and len(stripped) > 6 else stripped
