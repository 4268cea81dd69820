"""The calls in progress: by Linkedid and by channel, bounded, and closed into records once."""

from __future__ import annotations

from collections import OrderedDict
from zoneinfo import ZoneInfo

from channels.telephony.call_state import CallState, Endpoints
from channels.telephony.closing import record_of
from channels.telephony.records import CallDirection, CallRecord, ClosedBy
from channels.telephony.settings import TelephonySettings


class OpenCalls:
    """Every call in progress, the call of each open channel, and the calls lately finished.

    Finished calls are remembered (twice `max_open_calls` of them) so that a late Cdr or a
    stray Hangup of a call already logged never logs it again.
    """

    def __init__(self, settings: TelephonySettings, endpoints: Endpoints) -> None:
        self._limit = settings.max_open_calls
        self._zone = ZoneInfo(settings.cdr_timezone)
        self._endpoints = endpoints
        self.by_linkedid: dict[str, CallState] = {}
        self.of_channel: dict[str, str] = {}
        self.originated: dict[str, str] = {}
        self._finished: OrderedDict[str, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self.by_linkedid)

    def finished(self, key: str) -> bool:
        """Whether a Linkedid or Uniqueid belongs to a call already closed."""
        return key in self._finished

    def expect_outbound(self, channel_id: str, phone: str) -> None:
        """Remember that the call whose first channel is `channel_id` dials `phone`."""
        self.originated[channel_id] = phone
        while len(self.originated) > self._limit:
            del self.originated[next(iter(self.originated))]

    def new(self, linkedid: str, at: float, finished: list[CallRecord], seen: bool) -> CallState:
        """Open a call (`seen`: from its first channel); beyond the limit the oldest makes room."""
        if len(self.by_linkedid) >= self._limit:
            oldest = next(iter(self.by_linkedid.values()))
            finished.append(self.finish(oldest, oldest.last_seen, "stale"))
        call = self.by_linkedid[linkedid] = CallState(linkedid, at)
        call.start_seen = seen
        return call

    def finish(self, call: CallState, ended: float, closed_by: ClosedBy) -> CallRecord:
        """Close a call for good and return its record."""
        self.by_linkedid.pop(call.linkedid, None)
        for uniqueid in call.open:
            self.of_channel.pop(uniqueid, None)
        for key in (call.linkedid, *call.names):
            self._finished[key] = None
        while len(self._finished) > 2 * self._limit:
            self._finished.popitem(last=False)
        dialed = self.originated.pop(call.linkedid, None)
        call.dialed = call.dialed or dialed
        direction = _direction(call, dialed)
        return record_of(call, ended, direction, closed_by, self._zone, self._endpoints)


def _direction(call: CallState, dialed: str | None) -> CallDirection:
    if call.inbound:
        return "inbound"
    return "outbound" if call.trunk_legs or dialed or call.placed_by else "internal"
