"""What the call tracker produces: finished call records and ringing notices, and their rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

CallDirection = Literal["inbound", "outbound", "internal"]
Disposition = Literal["answered", "missed", "busy", "abandoned", "failed"]
ClosedBy = Literal["hangup", "reconciled", "stale"]
# How a queue call left the queue unanswered: the queue gave up, or the caller hung up.
QueueResult = Literal["timeout", "abandoned", "exited"]

# DialStatus → disposition of a call nobody answered; unknown statuses count as missed.
_INBOUND_STATUS: dict[str, Disposition] = {"BUSY": "busy", "CANCEL": "abandoned"}
_OUTBOUND_STATUS: dict[str, Disposition] = {
    "BUSY": "busy",
    "NOANSWER": "missed",
    "CANCEL": "abandoned",
}


@dataclass(frozen=True, slots=True)
class RingingCall:
    """An inbound call has started ringing a manager's extension (for the screen pop)."""

    extension: str
    caller: str
    caller_name: str | None
    did: str | None
    linkedid: str


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One finished call, all its legs folded together (times are UTC)."""

    linkedid: str
    direction: CallDirection
    customer_number: str | None
    caller_name: str | None
    did: str | None
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime
    disposition: Disposition
    answered_by: str | None = None
    queue: str | None = None
    hold_seconds: float | None = None
    recording: str | None = None
    transfers: int = 0
    reconciled: bool = False
    closed_by: ClosedBy = "hangup"
    placed_by: str | None = None
    """Outbound: the extension that placed the call."""
    customer_dialed: bool = True
    """Outbound: False when the customer's number was never dialed (the manager did not pick up)."""
    queue_result: QueueResult | None = None
    start_seen: bool = True
    """False for a call adopted in progress: its start time is Asterisk's estimate."""
    end_seen: bool = True
    """False for a call closed without its last Hangup (stale, reconciled)."""
    answer_seen: bool = True
    """False when a person answered before we could see when."""

    @property
    def ring_seconds(self) -> float | None:
        """Seconds from the first channel to a person answering (or to the end if nobody did).

        None where the moments it spans were not seen.
        """
        if self.answered_at is not None and self.start_seen and self.answer_seen:
            return _seconds(self.answered_at - self.started_at)
        if self.disposition != "answered" and self.start_seen and self.end_seen:
            return _seconds(self.ended_at - self.started_at)
        return None

    @property
    def talk_seconds(self) -> float | None:
        """Seconds from a person answering to the last hangup (0 unanswered, None if unseen)."""
        if self.disposition != "answered":
            return 0.0
        if self.answered_at is None or not self.answer_seen or not self.end_seen:
            return None
        return _seconds(self.ended_at - self.answered_at)


def unanswered_disposition(
    direction: CallDirection, last_dial_status: str | None, queue_result: str | None
) -> Disposition:
    """Why nobody answered, from the event sequence (not from hangup causes)."""
    if direction == "outbound":
        return _OUTBOUND_STATUS.get(last_dial_status or "", "failed")
    if queue_result == "abandoned":
        return "abandoned"
    if queue_result is not None:
        return "missed"
    return _INBOUND_STATUS.get(last_dial_status or "", "missed")


def _seconds(span: timedelta) -> float:
    return round(max(span.total_seconds(), 0.0), 3)


def utc_from_epoch(seconds: float) -> datetime:
    """An epoch time as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)
