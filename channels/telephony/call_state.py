"""The state of one call in progress, and how each AMI event changes it."""

from __future__ import annotations

import re
from collections.abc import Mapping

from channels.telephony.framing import extension_of
from channels.telephony.records import QueueResult

_UNKNOWN = ("", "<unknown>")
# QUEUESTATUS values of a caller who left a queue unanswered without hanging up.
_QUEUE_GAVE_UP: dict[str, QueueResult] = {
    "TIMEOUT": "timeout", "FULL": "exited", "JOINEMPTY": "exited", "LEAVEEMPTY": "exited",
    "JOINUNAVAIL": "exited", "LEAVEUNAVAIL": "exited", "WITHDRAW": "exited",
}  # fmt: skip


class Endpoints:
    """Tells trunk legs and managers' extensions apart, from the configured contexts and pattern."""

    def __init__(self, trunk_contexts: tuple[str, ...], extension_pattern: str) -> None:
        self.trunk_contexts = frozenset(trunk_contexts)
        self._pattern = re.compile(extension_pattern)

    def extension(self, channel: str) -> str | None:
        """The manager's extension a channel belongs to, or None (trunk, unknown)."""
        endpoint = extension_of(channel)
        return endpoint if endpoint and self._pattern.fullmatch(endpoint) else None

    def is_extension(self, number: str) -> bool:
        """Whether a number is one of our extensions rather than an outside number."""
        return self._pattern.fullmatch(number) is not None


class CallState:
    """Everything learnt so far about one Linkedid; the tracker feeds it events in order."""

    __slots__ = (
        "linkedid", "started", "last_seen", "open", "names", "first", "inbound", "caller",
        "caller_name", "did", "trunk_legs", "answered", "answered_by", "queue", "hold",
        "queue_abandoned", "last_status", "recording", "transfers", "rung", "dialed", "bridges",
        "queue_status", "hung_up_by", "placed_by", "originate_failed", "start_seen",
        "answer_seen", "close_at", "cdrs",
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
        self.queue_status: QueueResult | None = None
        self.hung_up_by: str | None = None
        self.placed_by: str | None = None
        self.originate_failed = False
        self.start_seen = True
        self.answer_seen = True
        self.close_at: float | None = None
        self.cdrs: list[Mapping[str, str]] = []

    def new_channel(self, event: Mapping[str, str], trunk: bool) -> None:
        """A leg appeared; the first one tells who called and which number they dialed."""
        uniqueid = event.get("Uniqueid", "")
        self.open.add(uniqueid)
        self.names[uniqueid] = event.get("Channel", "")
        if trunk:
            self.trunk_legs.add(uniqueid)
        if self.first is None and (self.start_seen or uniqueid == self.linkedid):
            self.first = uniqueid
            self.inbound = trunk
            self.caller = known(event.get("CallerIDNum"))
            self.caller_name = known(event.get("CallerIDName"))
            # The DID is only here: the dialplan jumps away before dialing (Cdr says `s`).
            self.did = known(event.get("Exten")) if trunk else None

    def new_caller_id(self, event: Mapping[str, str]) -> None:
        """A late caller id on the caller's own leg fills a missing number."""
        if event.get("Uniqueid") == self.first and self.inbound and self.caller is None:
            self.caller = known(event.get("CallerIDNum"))

    def dial_begin(self, event: Mapping[str, str], endpoints: Endpoints) -> str | None:
        """Note the customer's number on an outbound dial; return an extension newly ringing."""
        dest = event.get("DestUniqueid", "")
        if dest in self.trunk_legs and not self.inbound:
            self.dialed = known(event.get("Exten")) or self.dialed
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
            self.hold = seconds(event.get("HoldTime"))
        elif name == "AgentConnect":
            self.hold = seconds(event.get("HoldTime"))
            channel = event.get("DestChannel") or event.get("Interface", "")
            self.answer(at, endpoints.extension(channel))

    def var_set(self, event: Mapping[str, str]) -> None:
        """The recording's file name (MixMonitorStart has none) and how a queue call ended."""
        variable, value = event.get("Variable"), event.get("Value", "")
        if variable == "MIXMONITOR_FILENAME" and value:
            self.recording = value
        elif variable == "QUEUESTATUS" and event.get("Uniqueid") == self.first:
            self.queue_status = _QUEUE_GAVE_UP.get(value.strip().upper(), self.queue_status)

    def hangup_request(self, event: Mapping[str, str]) -> None:
        """Who ended the caller's leg first: the caller (their BYE) or the dialplan."""
        if event.get("Uniqueid") == self.first and self.hung_up_by is None:
            self.hung_up_by = "caller" if event.get("Event") == "HangupRequest" else "pbx"

    def originate_response(self, event: Mapping[str, str], endpoints: Endpoints) -> None:
        """Originate's outcome: Failure means the manager's own phone never picked up."""
        self.placed_by = endpoints.extension(event.get("Channel", "")) or self.placed_by
        self.dialed = self.dialed or known(event.get("Exten"))
        if event.get("Response") == "Failure" and self.answered is None:
            self.originate_failed = True

    def queue_result(self) -> QueueResult | None:
        """How an unanswered queue call left the queue (None outside queues).

        Asterisk 22 sends QueueCallerAbandon on a queue timeout too: QUEUESTATUS, or who hung
        up the caller's leg first, tells a timeout from a caller who gave up.
        """
        if self.queue is None:
            return None
        if self.queue_status is not None:
            return self.queue_status
        if self.hung_up_by == "pbx":
            return "timeout" if self.queue_abandoned else "exited"
        if self.hung_up_by == "caller" or self.queue_abandoned or self.last_status is None:
            return "abandoned"
        return None

    def bridge_enter(self, event: Mapping[str, str], endpoints: Endpoints) -> None:
        """The extension that last joins the customer's bridge has the call (transfers)."""
        members = self.bridges.setdefault(event.get("BridgeUniqueid", ""), set())
        uniqueid = event.get("Uniqueid", "")
        members.add(uniqueid)
        customer_leg = self.first if self.inbound else next(iter(self.trunk_legs), None)
        if self.answered is None or customer_leg not in members or uniqueid == customer_leg:
            return
        self.answered_by = endpoints.extension(event.get("Channel", "")) or self.answered_by


def known(value: str | None) -> str | None:
    """The value, or None for Asterisk's placeholders of an unknown one."""
    return None if value is None or value.strip() in _UNKNOWN else value


def seconds(value: str | None) -> float | None:
    """A number of seconds as Asterisk writes it, or None."""
    try:
        return float(value) if value else None
    except ValueError:
        return None
