"""The call tracker: a state machine per Linkedid that folds AMI events into call records."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from channels.telephony.call_state import CallState, Endpoints
from channels.telephony.parse import customer_phone
from channels.telephony.records import CallDirection, CallRecord, ClosedBy, RingingCall
from channels.telephony.settings import TelephonySettings

# Transfer events name their calls with prefixed Linkedid keys instead of `Linkedid`.
_LINKEDID_KEYS = ("Linkedid", "TransfereeLinkedid", "OrigTransfererLinkedid", "TransfererLinkedid")
_TRACKED = frozenset(
    {
        "Newchannel", "NewCallerid", "DialBegin", "DialEnd", "QueueCallerJoin",
        "QueueCallerAbandon", "AgentConnect", "VarSet", "BridgeEnter", "BlindTransfer",
        "AttendedTransfer",
    }
)  # fmt: skip


class CallTracker:
    """Feed AMI events in order; get a `CallRecord` when a call's last channel hangs up.

    A call is every channel sharing a Linkedid; it ends when its last open channel hangs up.
    Memory stays bounded: silent calls are closed by `close_stale`, and beyond
    `max_open_calls` the oldest call is closed to make room.
    """

    def __init__(
        self,
        settings: TelephonySettings,
        on_ringing: Callable[[RingingCall], None] | None = None,
    ) -> None:
        self._settings = settings
        self._endpoints = Endpoints(settings.trunk_contexts, settings.extension_pattern)
        self._on_ringing = on_ringing
        self._calls: dict[str, CallState] = {}
        self._channel_call: dict[str, str] = {}
        self._originated: dict[str, str] = {}

    @property
    def open_calls(self) -> int:
        """How many calls are in progress."""
        return len(self._calls)

    def expect_outbound(self, channel_id: str, phone: str) -> None:
        """Remember that the call whose first channel is `channel_id` dials `phone` (Originate)."""
        self._originated[channel_id] = phone
        while len(self._originated) > self._settings.max_open_calls:
            del self._originated[next(iter(self._originated))]

    def feed(self, event: Mapping[str, str], at: float) -> list[CallRecord]:
        """Apply one event received at epoch `at`; return the calls it finished."""
        name = event.get("Event")
        if name == "Hangup":
            return self._hangup(event, at)
        if name not in _TRACKED:
            return []
        finished: list[CallRecord] = []
        call = self._call_for(event, at, finished)
        if call is not None:
            call.last_seen = at
            self._apply(call, name, event, at)
        return finished

    def close_stale(self, now: float) -> list[CallRecord]:
        """Close calls silent for longer than `stale_call_seconds` (a lost Hangup)."""
        limit = now - self._settings.stale_call_seconds
        stale = [c for c in self._calls.values() if c.last_seen < limit]
        return [self._finish(call, call.last_seen, "stale") for call in stale]

    def reconcile(self, live: set[str], before: float, ended_at: float) -> list[CallRecord]:
        """After a reconnect: close calls last seen before `before` whose channels are all gone.

        `live` holds the Uniqueids CoreShowChannels listed; `ended_at` is our best guess of
        when the call ended (the connection loss), since its Hangup never reached us.
        """
        finished = []
        for call in [c for c in self._calls.values() if c.last_seen < before]:
            for gone in call.open - live:
                call.open.discard(gone)
                self._channel_call.pop(gone, None)
            if not call.open:
                finished.append(self._finish(call, ended_at, "reconciled"))
        return finished

    def _apply(self, call: CallState, name: str, event: Mapping[str, str], at: float) -> None:
        if name == "Newchannel":
            uniqueid = event.get("Uniqueid", "")
            self._channel_call[uniqueid] = call.linkedid
            call.new_channel(event, event.get("Context") in self._endpoints.trunk_contexts)
        elif name == "DialBegin":
            self._ringing(call, call.dial_begin(event, self._endpoints))
        elif name == "DialEnd":
            call.dial_end(event, at, self._endpoints)
        elif name == "VarSet":
            call.var_set(event)
        elif name == "BridgeEnter":
            call.bridge_enter(event, self._endpoints)
        elif name == "NewCallerid":
            call.new_caller_id(event)
        elif name.endswith("Transfer"):
            call.transfers += 1
        else:
            call.queue_event(event, at, self._endpoints)

    def _ringing(self, call: CallState, extension: str | None) -> None:
        if extension is None or self._on_ringing is None:
            return
        caller = customer_phone(call.caller or "", self._settings.default_region)
        self._on_ringing(RingingCall(extension, caller, call.caller_name, call.did, call.linkedid))

    def _call_for(
        self, event: Mapping[str, str], at: float, finished: list[CallRecord]
    ) -> CallState | None:
        uniqueid = event.get("Uniqueid") or event.get("DestUniqueid") or ""
        linkedid = next((event[k] for k in _LINKEDID_KEYS if event.get(k)), None)
        if linkedid is None:
            # The first DialBegin/DialEnd of an Originate carry only Dest* headers.
            known = self._channel_call.get(uniqueid)
            return self._calls.get(known) if known else None
        call = self._calls.get(linkedid)
        if call is None:
            if event.get("Event") != "Newchannel":
                return None
            if len(self._calls) >= self._settings.max_open_calls:
                oldest = next(iter(self._calls.values()))
                finished.append(self._finish(oldest, oldest.last_seen, "stale"))
            call = self._calls[linkedid] = CallState(linkedid, at)
        previous = self._channel_call.get(uniqueid)
        if previous is not None and previous != linkedid and "Uniqueid" in event:
            finished.extend(self._move_channel(uniqueid, previous, call, at))
        return call

    def _move_channel(
        self, uniqueid: str, previous: str, call: CallState, at: float
    ) -> list[CallRecord]:
        """Asterisk re-links bridged channels to the oldest call (attended transfer)."""
        self._channel_call[uniqueid] = call.linkedid
        call.open.add(uniqueid)
        old = self._calls.get(previous)
        if old is None:
            return []
        old.open.discard(uniqueid)
        call.names[uniqueid] = old.names.get(uniqueid, "")
        return [] if old.open else [self._finish(old, at, "hangup")]

    def _hangup(self, event: Mapping[str, str], at: float) -> list[CallRecord]:
        uniqueid = event.get("Uniqueid", "")
        linkedid = self._channel_call.pop(uniqueid, None) or event.get("Linkedid", "")
        call = self._calls.get(linkedid)
        if call is None:
            return []
        call.last_seen = at
        call.open.discard(uniqueid)
        return [] if call.open else [self._finish(call, at, "hangup")]

    def _finish(self, call: CallState, ended: float, closed_by: ClosedBy) -> CallRecord:
        self._calls.pop(call.linkedid, None)
        for uniqueid in call.open:
            self._channel_call.pop(uniqueid, None)
        dialed = self._originated.pop(call.linkedid, None)
        return call.record(ended, self._direction(call, dialed), closed_by, dialed)

    def _direction(self, call: CallState, dialed: str | None) -> CallDirection:
        if call.inbound:
            return "inbound"
        return "outbound" if call.trunk_legs or dialed else "internal"
