"""What the call tracker produces: finished call records and ringing notices, and their rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

CallDirection = Literal["inbound", "outbound", "internal"]
Disposition = Literal["answered", "missed", "busy", "abandoned", "failed"]
ClosedBy = Literal["hangup", "reconciled", "stale"]

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

    @property
    def ring_seconds(self) -> float:
        """Seconds from the first channel to a person answering (or to the end if nobody did)."""
        return round(((self.answered_at or self.ended_at) - self.started_at).total_seconds(), 3)

    @property
    def talk_seconds(self) -> float:
        """Seconds from a person answering to the last hangup (0 if nobody answered)."""
        if self.answered_at is None:
            return 0.0
        return round((self.ended_at - self.answered_at).total_seconds(), 3)


def unanswered_disposition(
    direction: CallDirection, last_dial_status: str | None, abandoned_in_queue: bool
) -> Disposition:
    """Why nobody answered, from the event sequence (not from hangup causes)."""
    if direction == "outbound":
        return _OUTBOUND_STATUS.get(last_dial_status or "", "failed")
    if abandoned_in_queue:
        return "abandoned"
    return _INBOUND_STATUS.get(last_dial_status or "", "missed")


def utc_from_epoch(seconds: float) -> datetime:
    """An epoch time as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)
