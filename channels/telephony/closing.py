"""Closing a call: its record, from what the events showed and, for unseen parts, its Cdr."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from channels.telephony.adoption import cdr_facts
from channels.telephony.call_state import CallState, Endpoints
from channels.telephony.records import (
    CallDirection,
    CallRecord,
    ClosedBy,
    Disposition,
    unanswered_disposition,
    utc_from_epoch,
)


def record_of(
    call: CallState, ended: float, direction: CallDirection, closed_by: ClosedBy,
    zone: ZoneInfo, endpoints: Endpoints,
) -> CallRecord:  # fmt: skip
    """The finished call; a call adopted mid-way takes the times it missed from its Cdr."""
    started, answered, end_seen = call.started, call.answered, closed_by == "hangup"
    start_seen, answer_seen = call.start_seen, call.answer_seen
    outcome: str | None = None
    if call.cdrs and not call.start_seen:
        facts = cdr_facts(call.cdrs, zone, endpoints)
        # The Cdr ends when the last Hangup came: its times move onto our clock from there,
        # so a skewed PBX clock or a wrong cdr_timezone cannot bend the durations.
        shift = ended - facts.ended if facts.ended is not None else 0.0
        if facts.started is not None:
            started, start_seen = facts.started + shift, True
        if facts.answered is not None and (answered is None or not answer_seen):
            answered, answer_seen = facts.answered + shift, True
            call.answered_by = call.answered_by or facts.answered_by
        outcome = facts.outcome
    queue_result = call.queue_result() if answered is None else None
    return CallRecord(
        linkedid=call.linkedid,
        direction=direction,
        customer_number=call.caller if call.inbound else call.dialed,
        caller_name=call.caller_name if call.inbound else None,
        did=call.did,
        started_at=utc_from_epoch(started),
        answered_at=utc_from_epoch(answered) if answered is not None else None,
        ended_at=utc_from_epoch(max(ended, started)),
        disposition=_disposition(call, direction, answered, queue_result, outcome),
        answered_by=call.answered_by,
        queue=call.queue,
        hold_seconds=call.hold,
        recording=call.recording,
        transfers=call.transfers,
        reconciled=closed_by == "reconciled",
        closed_by=closed_by,
        placed_by=_placed_by(call, endpoints) if direction == "outbound" else None,
        customer_dialed=bool(call.trunk_legs) or direction != "outbound",
        queue_result=queue_result,
        start_seen=start_seen,
        end_seen=end_seen,
        answer_seen=answer_seen,
    )


def _disposition(
    call: CallState, direction: CallDirection, answered: float | None,
    queue_result: str | None, cdr_outcome: str | None,
) -> Disposition:  # fmt: skip
    if answered is not None:
        return "answered"
    if call.originate_failed or (direction == "outbound" and not call.trunk_legs):
        return "failed"
    if call.last_status is None and queue_result is None and cdr_outcome == "busy":
        return "busy"
    return unanswered_disposition(direction, call.last_status, queue_result)


def _placed_by(call: CallState, endpoints: Endpoints) -> str | None:
    """The extension whose leg started an outbound call."""
    return call.placed_by or endpoints.extension(call.names.get(call.first or "", ""))
