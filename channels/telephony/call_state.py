"""The state of one call in progress, and how each AMI event changes it."""

from __future__ import annotations

import re
from collections.abc import Mapping

from channels.telephony.framing import extension_of
from channels.telephony.records import (
    CallDirection,
    CallRecord,
    ClosedBy,
    unanswered_disposition,
    utc_from_epoch,
)

_UNKNOWN = ("", "<unknown>")


class Endpoints:
    """Tells trunk legs and managers' extensions apart, from the configured contexts and pattern."""

    def __init__(self, trunk_contexts: tuple[str, ...], extension_pattern: str) -> None:
        self.trunk_contexts = frozenset(trunk_contexts)
        self._pattern = re.compile(extension_pattern)

    def extension(self, channel: str) -> str | None:
        """The manager's extension a channel belongs to, or None (trunk, unknown)."""
        endpoint = extension_of(channel)
        return endpoint if endpoint and self._pattern.fullmatch(endpoint) else None


class CallState:
    """Everything learnt so far about one Linkedid; the tracker feeds it events in order."""

    __slots__ = (
        "linkedid", "started", "last_seen", "open", "names", "first", "inbound", "caller",
        "caller_name", "did", "trunk_legs", "answered", "answered_by", "queue", "hold",
        "queue_abandoned", "last_status", "recording", "transfers", "rung", "dialed", "bridges",
    )  # fmt: skip

    def __init__(self, linkedid: str, at: float) -> None:
        self.linkedid, self.started, self.last_seen = linkedid, at, at
        self.open: set[str] = set()
        self.names: dict[str, str] = {}
        self.first: str | None = None
        self.inbound = False
        self.caller: str | None = None
        self.caller_name: str | None = None
        self.did: str | None = None
        self.dialed: str | None = None
        self.trunk_legs: set[str] = set()
        self.answered: float | None = None
        self.answered_by: str | None = None
        self.queue: str | None = None
        self.hold: float | None = None
        self.queue_abandoned = False
        self.last_status: str | None = None
        self.recording: str | None = None
        self.transfers = 0
        self.rung: set[str] = set()
        self.bridges: dict[str, set[str]] = {}

    def new_channel(self, event: Mapping[str, str], trunk: bool) -> None:
        """A leg appeared; the first one tells who called and which number they dialed."""
        uniqueid = event.get("Uniqueid", "")
        self.open.add(uniqueid)
        self.names[uniqueid] = event.get("Channel", "")
        if trunk:
            self.trunk_legs.add(uniqueid)
        if self.first is None:
            self.first = uniqueid
            self.inbound = trunk
            self.caller = _known(event.get("CallerIDNum"))
            self.caller_name = _known(event.get("CallerIDName"))
            # The DID is only here: the dialplan jumps away before dialing (Cdr says `s`).
            self.did = _known(event.get("Exten")) if trunk else None

    def new_caller_id(self, event: Mapping[str, str]) -> None:
        """A late caller id on the caller's own leg fills a missing number."""
        if event.get("Uniqueid") == self.first and self.inbound and self.caller is None:
            self.caller = _known(event.get("CallerIDNum"))

    def dial_begin(self, event: Mapping[str, str], endpoints: Endpoints) -> str | None:
        """Note the customer's number on an outbound dial; return an extension newly ringing."""
        dest = event.get("DestUniqueid", "")
        if dest in self.trunk_legs and not self.inbound:
            self.dialed = _known(event.get("Exten")) or self.dialed
            return None
        extension = endpoints.extension(event.get("DestChannel", ""))
        if not self.inbound or extension is None or extension in self.rung:
            return None
        self.rung.add(extension)
        return extension

    def dial_end(self, event: Mapping[str, str], at: float, endpoints: Endpoints) -> None:
        """A dial attempt ended: a person answered, or the status says why not."""
        status = event.get("DialStatus", "")
        dest = event.get("DestUniqueid", "")
        if status != "ANSWER":
            self.last_status = status
        elif self.inbound and dest not in self.trunk_legs:
            self.answer(at, endpoints.extension(event.get("DestChannel", "")))
        elif not self.inbound and dest in self.trunk_legs:
            # Outbound: the customer picked up; the call is the originating extension's.
            self.answer(at, endpoints.extension(self.names.get(self.first or "", "")))

    def answer(self, at: float, extension: str | None) -> None:
        """A person answered (the first answer time stays; the extension follows transfers)."""
        if self.answered is None:
            self.answered = at
        self.answered_by = extension or self.answered_by

    def queue_event(self, event: Mapping[str, str], at: float, endpoints: Endpoints) -> None:
        """QueueCallerJoin, QueueCallerAbandon and AgentConnect (HoldTime is in seconds)."""
        self.queue = event.get("Queue") or self.queue
        name = event.get("Event")
        if name == "QueueCallerAbandon":
            self.queue_abandoned = True
            self.hold = _seconds(event.get("HoldTime"))
        elif name == "AgentConnect":
            self.hold = _seconds(event.get("HoldTime"))
            channel = event.get("DestChannel") or event.get("Interface", "")
            self.answer(at, endpoints.extension(channel))

    def var_set(self, event: Mapping[str, str]) -> None:
        """MixMonitorStart has no file name: it comes as the MIXMONITOR_FILENAME variable."""
        if event.get("Variable") == "MIXMONITOR_FILENAME" and event.get("Value"):
            self.recording = event["Value"]

    def bridge_enter(self, event: Mapping[str, str], endpoints: Endpoints) -> None:
        """The extension that last joins the customer's bridge has the call (transfers)."""
        members = self.bridges.setdefault(event.get("BridgeUniqueid", ""), set())
        uniqueid = event.get("Uniqueid", "")
        members.add(uniqueid)
        customer_leg = self.first if self.inbound else next(iter(self.trunk_legs), None)
        if self.answered is None or customer_leg not in members or uniqueid == customer_leg:
            return
        self.answered_by = endpoints.extension(event.get("Channel", "")) or self.answered_by

    def record(
        self, ended: float, direction: CallDirection, closed_by: ClosedBy, dialed: str | None
    ) -> CallRecord:
        """The finished call."""
        abandoned = self.queue_abandoned or (self.queue is not None and self.last_status is None)
        answered = self.answered
        return CallRecord(
            linkedid=self.linkedid,
            direction=direction,
            customer_number=self.caller if self.inbound else (self.dialed or dialed),
            caller_name=self.caller_name if self.inbound else None,
            did=self.did,
            started_at=utc_from_epoch(self.started),
            answered_at=utc_from_epoch(answered) if answered is not None else None,
            ended_at=utc_from_epoch(max(ended, self.started)),
            disposition="answered"
            if answered is not None
            else unanswered_disposition(direction, self.last_status, abandoned),
            answered_by=self.answered_by,
            queue=self.queue,
            hold_seconds=self.hold,
            recording=self.recording,
            transfers=self.transfers,
            reconciled=closed_by == "reconciled",
            closed_by=closed_by,
        )


def _known(value: str | None) -> str | None:
    return None if value is None or value.strip() in _UNKNOWN else value


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
