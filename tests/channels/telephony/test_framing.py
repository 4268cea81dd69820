"""Which AMI messages are dropped undecoded: only events the call tracker never reads."""

from __future__ import annotations

import logging

import pytest

from channels.telephony.framing import is_unread_event, parse_message
from tests.channels.telephony.ami_server import load_trace


@pytest.mark.parametrize(("raw", "unread"), [
    (b"Event: Newexten\r\nChannel: PJSIP/trunk-00000001\r\nLinkedid: 1.1", True),
    (b"Event: VarSet\r\nVariable: BRIDGEPEER\r\nValue: PJSIP/201-00000002", True),
    (b"Event: VarSet\r\nVariable: MIXMONITOR_FILENAME\r\nValue: /var/spool/a.wav", False),
    (b"Event: Newstate\r\nActionID: 42\r\nChannel: PJSIP/201-00000002", False),
    (b"Event: Hangup\r\nUniqueid: 1.1\r\nLinkedid: 1.1", False),
    (b"Event: VarSetting\r\nValue: x", False),
    (b"Response: Success\r\nActionID: 1", False),
])
def test_only_events_no_one_reads_are_dropped_undecoded(raw: bytes, unread: bool) -> None:
    assert is_unread_event(raw) is unread


def test_dropping_unread_events_leaves_every_trace_with_what_the_tracker_reads() -> None:
    trace = load_trace("answered_recorded")
    kept = [parse_message(m) for _, m in trace.messages if not is_unread_event(m)]

    assert len(kept) < len(trace.messages) / 2
    assert any(h and h.get("Variable") == "MIXMONITOR_FILENAME" for h in kept)


def test_headers_split_at_the_first_colon_and_keep_their_first_value() -> None:
    raw = b"Event: X\r\nA:b: c\r\nK:\r\nL: \r\nM:  two\r\n:v\r\nno colon\r\nA: again"

    assert parse_message(raw) == {"Event": "X", "A": "b: c", "K": "", "L": "", "M": " two"}
    assert parse_message(b"Key: value") is None


async def test_a_megabyte_of_blank_lines_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    from channels.telephony.connection import EventInbox, HardenedAmiProtocol

    protocol = HardenedAmiProtocol(EventInbox(), lambda: 0.0)
    protocol.data_received(b"Asterisk Call Manager/6.0.0\r\n")
    caplog.set_level(logging.DEBUG, "channels.telephony")
    for _ in range(16):
        protocol.data_received(b"\r\n" * 32768)

    assert caplog.records == []
