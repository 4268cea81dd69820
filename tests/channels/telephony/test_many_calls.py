"""A thousand calls interleaved in one AMI stream are each tracked to the right record."""

from __future__ import annotations

from collections import Counter

from tests.channels.telephony.ami_server import AmiTestServer, load_trace
from tests.channels.telephony.conftest import running_channel, wait_for
from tests.channels.telephony.synthetic import copy_of, interleaved
from tests.fakes import RecordingSink

CALLS = 1000


async def test_a_thousand_concurrent_calls_in_one_stream_are_all_tracked(
    ami_server: AmiTestServer, sink: RecordingSink
) -> None:
    missed, answered = load_trace("missed_no_answer"), load_trace("answered_recorded")
    calls = [
        copy_of(missed if n % 2 else answered, n, caller=f"7900{n:07d}") for n in range(CALLS)
    ]
    async with running_channel(ami_server, sink):
        await ami_server.logged_in()
        await ami_server.send(interleaved(calls))
        await wait_for(lambda: len(sink.events) == CALLS, within=60)

    by_phone = {event.identities[0].value: event for event in sink.events}
    assert len(by_phone) == CALLS
    outcomes = Counter((e.details["disposition"], e.details["answered_by"]) for e in sink.events)
    assert outcomes == {("missed", None): CALLS // 2, ("answered", "201"): CALLS // 2}
    for n in range(CALLS):
        event = by_phone[f"+7900{n:07d}"]
        assert event.details["disposition"] == ("missed" if n % 2 else "answered")
        assert event.callback == ("request" if n % 2 else "fulfilled")
    assert len({e.external_id for e in sink.events}) == CALLS
