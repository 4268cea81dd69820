"""Each gateway's request format → inbound messages (pure).

Generic JSON format (`POST /sms/generic`, `Authorization: Bearer <token>`)::

    {"id": "msg-1", "from": "+998901234567", "to": "+998712000000", "text": "Hello",
     "received_at": "2026-11-02T09:15:00Z", "type": "message"}

`id`, `from` and `text` are required; `type` other than "message" (e.g. "delivery_report")
is a known non-message: 200 and ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from channels.sms.parse import Ignored, InboundSms, Parsed, Part
from leads.errors import Malformed

_TWILIO_STATUSES = {"queued", "sending", "sent", "delivered", "undelivered", "failed", "read"}


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


def _twilio(fields: Mapping[str, Any]) -> list[Parsed]:
    status = str(fields.get("MessageStatus") or fields.get("SmsStatus") or "").lower()
    if "Body" not in fields and status in _TWILIO_STATUSES:
        return [Ignored(f"twilio status callback: {status}")]
    media = _count(fields, "NumMedia", 0)
    sms = InboundSms(
        "twilio",
        _required(fields, "MessageSid", "SmsSid"),
        _required(fields, "From"),
        str(fields.get("To", "")),
        str(fields.get("Body", "")),
        details={"segments": _count(fields, "NumSegments", 1), "media_count": media},
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
            raise Malformed("'concat-part' must be between 1 and 'concat-total' (≤ 255)")
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
    details = {"units": _count(fields, "Units", 1)}
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
        raise Malformed("an Infobip request carries a non-empty 'results' list")
    return [_infobip_result(item) for item in results]


def _infobip_result(item: Any) -> Parsed:
    if not isinstance(item, dict):
        raise Malformed("each Infobip result must be an object")
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
        details={"sms_count": _count(item, "smsCount", 1)},
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
        raise Malformed("received_at must be an ISO 8601 time")
    return [sms]


def _required(fields: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        value = fields.get(key)
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()
    raise Malformed(f"'{keys[0]}' is missing")


def _count(fields: Mapping[str, Any], key: str, default: int) -> int:
    """A provider's informational count; one that is not a small number is read as the default."""
    value = str(fields.get(key) or "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 6 else default


def _number(fields: Mapping[str, Any], key: str) -> int:
    value = str(fields.get(key, ""))
    if not (value.isascii() and value.isdigit() and len(value) < 10) or int(value) < 1:
        raise Malformed(f"'{key}' must be a positive number")
    return int(value)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    text = value.replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"  # Infobip writes +0000
    try:
        moment = datetime.fromisoformat(text)
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return None  # a time beyond the calendar: the receipt time stands in
