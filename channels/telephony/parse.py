"""Pure translation of a finished call record into the `ContactEvent` intake understands."""

from __future__ import annotations

import re
from typing import Any

from channels.telephony.records import CallRecord
from channels.telephony.settings import TelephonySettings, digits_of
from leads.model import CallbackSignal, ContactEvent, RawIdentity
from leads.normalize import e164_phone

_CALLBACK_DISPOSITIONS = frozenset({"missed", "busy", "abandoned"})


def customer_phone(raw: str, region: str | None) -> str:
    """The customer's number in E.164 when it parses, else as Asterisk gave it."""
    return e164_phone(raw, region) or raw


def call_event(record: CallRecord, settings: TelephonySettings) -> ContactEvent | None:
    """The contact event of a call, or None when no customer was on it.

    Internal calls, our own numbers, and a click-to-call whose manager never picked up
    (the customer's number was never dialed) touch no customer.
    """
    number = record.customer_number
    if record.direction == "internal" or not number or _is_ours(number, settings):
        return None
    if not record.customer_dialed:
        return None
    inbound = record.direction == "inbound"
    attribution = settings.attribution_for(record.did) if inbound else {}
    return ContactEvent(
        channel="call",
        external_id=record.linkedid,
        occurred_at=record.started_at,
        identities=(RawIdentity("phone", customer_phone(number, settings.default_region)),),
        name=record.caller_name if record.caller_name != number else None,
        attribution=attribution,
        details=call_details(record),
        region=settings.default_region,
        direction="inbound" if inbound else "outbound",
        callback=_callback(record),
    )


def call_details(record: CallRecord) -> dict[str, Any]:
    """The channel-specific part of a call's touch: disposition, durations, who, recording."""
    return {
        "direction": record.direction,
        "disposition": record.disposition,
        "ring_seconds": record.ring_seconds,
        "talk_seconds": record.talk_seconds,
        "answered_by": record.answered_by,
        "queue": record.queue,
        "hold_seconds": record.hold_seconds,
        "recording": record.recording,
        "transfers": record.transfers,
        "started_at": record.started_at.isoformat(),
        "answered_at": record.answered_at.isoformat() if record.answered_at else None,
        "ended_at": record.ended_at.isoformat(),
        "reconciled": record.reconciled,
        "closed_by": record.closed_by,
        "placed_by": record.placed_by,
        "queue_result": record.queue_result,
    }


def _callback(record: CallRecord) -> CallbackSignal | None:
    if record.disposition == "answered":
        return "fulfilled"
    if record.direction == "inbound" and record.disposition in _CALLBACK_DISPOSITIONS:
        return "request"
    return None


def _is_ours(number: str, settings: TelephonySettings) -> bool:
    """Our own numbers and internal extensions never become customers."""
    return (
        digits_of(number) in settings.own_numbers
        or re.fullmatch(settings.extension_pattern, number) is not None
    )
