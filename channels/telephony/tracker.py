"""The call tracker: a state machine per Linkedid that folds AMI events into call records."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from channels.telephony.adoption import SNAPSHOT_EVENTS, adopt_cdr, adopt_channel, adopt_hangup
from channels.telephony.call_state import CallState, Endpoints
from channels.telephony.calls import OpenCalls
from channels.telephony.parse import customer_phone
from channels.telephony.records import CallRecord, RingingCall
from channels.telephony.settings import TelephonySettings

# Transfer events name their calls with prefixed Linkedid keys instead of `Linkedid`.
_TRANSFER_LINKEDID_KEYS = ("TransfereeLinkedid", "OrigTransfererLinkedid", "TransfererLinkedid")
_TRACKED = frozenset(
    {
        "Newchannel", "NewCallerid", "DialBegin", "DialEnd", "QueueCallerJoin",
        "QueueCallerAbandon", "AgentConnect", "VarSet", "BridgeEnter", "BlindTransfer",
        "AttendedTransfer", "HangupRequest", "SoftHangupRequest", "OriginateResponse",
    }
)  # fmt: skip
_LISTS_COMPLETE = frozenset({"CoreShowChannelsComplete", "StatusComplete"})
EVENTS_READ = _TRACKED | SNAPSHOT_EVENTS | _LISTS_COMPLETE | {"Hangup", "Cdr"}
"""The events whose name the tracker acts on; every other event passes it by."""
# Once a Cdr is in, its siblings (a queue call has one per member) follow within moments.
_CDR_SETTLE_SECONDS = 0.5


class CallTracker:
    """Feed AMI events in order; get a `CallRecord` when a call's last channel hangs up.

    A call is every channel sharing a Linkedid; it ends when its last open channel hangs up.
    A call already in progress when we connected is adopted from the channel lists
    (CoreShowChannels, Status) or from its Hangup and Cdr, and waits briefly after its last
    Hangup for the Cdr that says when it started and was answered. Memory stays bounded:
    silent calls are closed by `tick`, and beyond `max_open_calls` the oldest call makes room.
    """

    def __init__(
        self,
        settings: TelephonySettings,
        on_ringing: Callable[[RingingCall], None] | None = None,
    ) -> None:
        self._settings = settings
        self._endpoints = Endpoints(settings.trunk_contexts, settings.extension_pattern)
        self._on_ringing = on_ringing
        self._open = OpenCalls(settings, self._endpoints)
        self._calls = self._open.by_linkedid
        self._channel_call = self._open.of_channel
        self._session_start = 0.0
        self._lost_at: float | None = None
        self._listed: set[str] = set()

    @property
    def open_calls(self) -> int:
        """How many calls are in progress."""
        return len(self._calls)

    def expect_outbound(self, channel_id: str, phone: str) -> None:
        """Remember that the call whose first channel is `channel_id` dials `phone` (Originate)."""
        self._open.expect_outbound(channel_id, phone)

    def connected(self, at: float, lost_at: float | None) -> None:
        """A new session starts at `at` (the last one was lost at `lost_at`); lists follow."""
        self._session_start, self._lost_at = at, lost_at
        self._listed = set()

    def feed(self, event: Mapping[str, str], at: float) -> list[CallRecord]:
        """Apply one event received at epoch `at`; return the calls it finished."""
        name = event.get("Event", "")
        finished: list[CallRecord] = []
        if name == "Hangup":
            self._hangup(event, at, finished)
        elif name == "Cdr":
            self._cdr(event, at, finished)
        elif name in SNAPSHOT_EVENTS:
            self._adopt(event, at, finished)
        elif name in _LISTS_COMPLETE:
            finished.extend(self._reconcile())
        elif name in _TRACKED:
            call = self._call_for(event, at, finished)
            if call is not None:
                call.last_seen = at
                self._apply(call, name, event, at)
        return finished

    def tick(self, now: float) -> list[CallRecord]:
        """Close what time alone closes: calls done waiting for their Cdr, and silent calls."""
        limit = now - self._settings.stale_call_seconds
        records = []
        for call in list(self._calls.values()):
            if call.close_at is not None and call.close_at <= now:
                records.append(self._open.finish(call, call.last_seen, "hangup"))
            elif call.last_seen < limit:
                records.append(self._open.finish(call, call.last_seen, "stale"))
        return records

    def _reconcile(self) -> list[CallRecord]:
        """Close calls from before this session whose channels Asterisk no longer lists."""
        finished = []
        for call in [c for c in self._calls.values() if c.last_seen < self._session_start]:
            for gone in call.open - self._listed:
                call.open.discard(gone)
                self._channel_call.pop(gone, None)
            if not call.open:
                # Its Hangup was lost with the connection: it ended about when the link did.
                ended = self._lost_at if self._lost_at is not None else call.last_seen
                finished.append(self._open.finish(call, ended, "reconciled"))
        return finished

    def _adopt(self, event: Mapping[str, str], at: float, finished: list[CallRecord]) -> None:
        uniqueid, linkedid = event.get("Uniqueid", ""), event.get("Linkedid", "")
        if not uniqueid or not linkedid:
            return
        self._listed.add(uniqueid)
        call = self._calls.get(self._channel_call.get(uniqueid, linkedid))
        if call is None:
            call = self._open.new(linkedid, at, finished, seen=False)
        elif call.start_seen:
            return
        self._channel_call[uniqueid] = call.linkedid
        call.last_seen = max(call.last_seen, at)
        adopt_channel(call, event, at, self._endpoints)

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
        elif name.endswith("HangupRequest"):
            call.hangup_request(event)
        elif name == "OriginateResponse":
            call.originate_response(event, self._endpoints)
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
        linkedid = event.get("Linkedid") or next(
            (event[k] for k in _TRANSFER_LINKEDID_KEYS if event.get(k)), None
        )
        if linkedid is None:
            # The first DialBegin/DialEnd of an Originate carry only Dest* headers.
            known = self._channel_call.get(uniqueid)
            return self._calls.get(known) if known else None
        call = self._calls.get(linkedid)
        if call is None:
            if event.get("Event") != "Newchannel" or self._open.finished(linkedid):
                return None
            call = self._open.new(linkedid, at, finished, seen=uniqueid == linkedid)
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
        return [] if old.open else [self._open.finish(old, at, "hangup")]

    def _hangup(self, event: Mapping[str, str], at: float, finished: list[CallRecord]) -> None:
        uniqueid = event.get("Uniqueid", "")
        linkedid = self._channel_call.pop(uniqueid, None) or event.get("Linkedid", "")
        call = self._calls.get(linkedid)
        if call is None:
            if not linkedid or self._open.finished(linkedid) or self._open.finished(uniqueid):
                return
            call = self._open.new(linkedid, at, finished, seen=False)
        if not call.start_seen:
            adopt_hangup(call, event, self._endpoints)
        call.last_seen = at
        call.open.discard(uniqueid)
        call.names.setdefault(uniqueid, event.get("Channel", ""))
        if call.open:
            return
        if call.start_seen:
            finished.append(self._open.finish(call, at, "hangup"))
        else:
            wait = _CDR_SETTLE_SECONDS if call.cdrs else self._settings.cdr_wait_seconds
            call.close_at = at + wait

    def _cdr(self, event: Mapping[str, str], at: float, finished: list[CallRecord]) -> None:
        uniqueid = event.get("UniqueID") or event.get("Uniqueid") or ""
        call = self._calls.get(self._channel_call.get(uniqueid, uniqueid))
        if call is None:
            if not uniqueid or self._open.finished(uniqueid):
                return
            call = self._open.new(uniqueid, at, finished, seen=False)
            call.close_at = at + self._settings.cdr_wait_seconds
        if call.start_seen:
            return  # the events showed this call whole; its Cdr adds nothing
        adopt_cdr(call, event, self._endpoints)
        if call.inbound and call.did is None:
            # Only a number we know is a DID: a dialplan that jumps leaves `s` here.
            call.did = self._settings.known_did(event.get("Destination", ""))
        call.last_seen = max(call.last_seen, at)
        if not call.open:
            settle = at + _CDR_SETTLE_SECONDS
            call.close_at = settle if call.close_at is None else min(call.close_at, settle)
