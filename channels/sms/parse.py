"""Gateway payloads → inbound messages → ContactEvent (pure: no I/O).

Generic JSON format (`POST /sms/generic`, `Authorization: Bearer <token>`)::

    {"id": "msg-1", "from": "+998901234567", "to": "+998712000000", "text": "Hello",
     "received_at": "2026-11-02T09:15:00Z", "type": "message"}

`id`, `from` and `text` are required; `type` other than "message" (e.g. "delivery_report")
is a known non-message: 200 and ignored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from leads.model import ContactEvent, RawIdentity

_TWILIO_STATUSES = {"queued", "sending", "sent", "delivered", "undelivered", "failed", "read"}


class MalformedSms(ValueError):
    """The request is not a message of the provider's format: answer 400 with the reason."""


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
        if "json" in content_type:
            value = json.loads(body)
            if not isinstance(value, dict):
                raise MalformedSms("the JSON body must be an object")
            return value
        return dict(parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=bool(body)))
    except (UnicodeDecodeError, ValueError) as err:
        if isinstance(err, MalformedSms):
            raise
        raise MalformedSms(f"the body is neither JSON nor a form: {err}") from err


def parse(provider: str, fields: Mapping[str, Any]) -> list[Parsed]:
    """The messages (or the known non-message) in one provider request."""
    parser = {
        "twilio": _twilio,
        "vonage": _vonage,
        "plivo": _plivo,
        "infobip": _infobip,
        "generic": _generic,
    }[provider]
    return parser(fields)


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


def _twilio(fields: Mapping[str, Any]) -> list[Parsed]:
    status = str(fields.get("MessageStatus") or fields.get("SmsStatus") or "").lower()
    if "Body" not in fields and status in _TWILIO_STATUSES:
        return [Ignored(f"twilio status callback: {status}")]
    media = int(fields.get("NumMedia") or 0)
    sms = InboundSms(
        "twilio",
        _required(fields, "MessageSid", "SmsSid"),
        _required(fields, "From"),
        str(fields.get("To", "")),
        str(fields.get("Body", "")),
        details={"segments": int(fields.get("NumSegments") or 1), "media_count": media},
    )
    return [sms]


def _vonage(fields: Mapping[str, Any]) -> list[Parsed]:
    if "text" not in fields and ("status" in fields or "err-code" in fields):
        return [Ignored(f"vonage delivery receipt: {fields.get('status', 'unknown')}")]
    part = None
    if str(fields.get("concat", "")).lower() == "true":
        part = Part(
            str(_required(fields, "concat-ref")),
            _number(fields, "concat-total"),
            _number(fields, "concat-part"),
        )
        if part.number > part.total or part.total > 255:
            raise MalformedSms("'concat-part' must be between 1 and 'concat-total' (≤ 255)")
    return [
        InboundSms(
            "vonage",
            _required(fields, "messageId"),
            _required(fields, "msisdn"),
            str(fields.get("to", "")),
            str(fields.get("text", "")),
            received_at=_time(fields.get("message-timestamp")),
            keyword=fields.get("keyword") or None,
            part=part,
        )
    ]


def _plivo(fields: Mapping[str, Any]) -> list[Parsed]:
    if "Text" not in fields and "Status" in fields:
        return [Ignored(f"plivo message status: {fields['Status']}")]
    details = {"units": int(fields.get("Units") or 1)}
    return [
        InboundSms(
            "plivo",
            _required(fields, "MessageUUID"),
            _required(fields, "From"),
            str(fields.get("To", "")),
            _required(fields, "Text"),
            details=details,
        )
    ]


def _infobip(fields: Mapping[str, Any]) -> list[Parsed]:
    results = fields.get("results")
    if not isinstance(results, list) or not results:
        raise MalformedSms("an Infobip request carries a non-empty 'results' list")
    return [_infobip_result(item) for item in results]


def _infobip_result(item: Any) -> Parsed:
    if not isinstance(item, dict):
        raise MalformedSms("each Infobip result must be an object")
    if "text" not in item and isinstance(item.get("status"), dict):
        return Ignored(f"infobip delivery report: {item['status'].get('groupName', 'unknown')}")
    return InboundSms(
        "infobip",
        _required(item, "messageId"),
        _required(item, "from"),
        str(item.get("to", "")),
        str(item.get("cleanText") or item.get("text") or ""),
        received_at=_time(item.get("receivedAt")),
        keyword=item.get("keyword") or None,
        details={"sms_count": int(item.get("smsCount") or 1)},
    )


def _generic(fields: Mapping[str, Any]) -> list[Parsed]:
    kind = str(fields.get("type", "message"))
    if kind != "message":
        return [Ignored(f"generic {kind}")]
    received = fields.get("received_at")
    sms = InboundSms(
        "generic",
        _required(fields, "id"),
        _required(fields, "from"),
        str(fields.get("to", "")),
        _required(fields, "text"),
        received_at=_time(received),
    )
    if received is not None and sms.received_at is None:
        raise MalformedSms("received_at must be an ISO 8601 time")
    return [sms]


def _required(fields: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        value = fields.get(key)
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()
    raise MalformedSms(f"'{keys[0]}' is missing")


def _number(fields: Mapping[str, Any], key: str) -> int:
    value = str(fields.get(key, ""))
    if not value.isdigit() or int(value) < 1:
        raise MalformedSms(f"'{key}' must be a positive number")
    return int(value)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    text = value.replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"  # Infobip writes +0000
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
