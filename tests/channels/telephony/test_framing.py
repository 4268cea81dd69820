"""Which AMI messages are dropped undecoded: only events the call tracker never reads."""

from __future__ import annotations

import logging
import random
import re

import pytest

from channels.telephony import sieve
from channels.telephony.framing import (
    BANNER_PREFIX,
    MAX_MESSAGE_BYTES,
    MessageSplitter,
    parse_message,
)
from channels.telephony.sieve import UNREAD_EVENT_NAMES, worth_reading
from channels.telephony.tracker import EVENTS_READ
from tests.channels.telephony.ami_server import FIXTURES, load_trace


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
    assert (worth_reading([raw]) == []) is unread


def test_events_dropped_unread_are_events_the_tracker_never_reads() -> None:
    # VarSet is read for two variables only, which keep their messages (above).
    unread = {name.decode() for name in UNREAD_EVENT_NAMES} - {"VarSet"}

    assert not unread & EVENTS_READ


def test_blank_messages_are_not_worth_reading() -> None:
    assert worth_reading([b"", b"\r\n", b" ", b"Event: Hangup"]) == [b"Event: Hangup"]


def test_dropping_unread_events_leaves_every_trace_with_what_the_tracker_reads() -> None:
    trace = load_trace("answered_recorded")
    kept = [parse_message(m) for m in worth_reading([m for _, m in trace.messages])]

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


@pytest.mark.parametrize("seed", range(300))
def test_messages_end_at_an_empty_line_however_lines_end_and_reads_split(seed: int) -> None:
    draw = random.Random(seed)
    stream = b"".join(draw.choice([b"\r\n", b"\n", b"\r", b"A: b", b"Event: X"])
                      for _ in range(draw.randrange(1, 60)))
    splitter, messages = MessageSplitter(), []
    splitter.feed(BANNER_PREFIX + b"6.0.0\r\n")
    cuts = sorted(draw.sample(range(len(stream) + 1), min(len(stream) + 1, 4)))
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        messages += splitter.feed(stream[start:end])

    assert messages == re.split(rb"\r?\n\r?\n", stream)[:-1]


_PIECES = [
    b"\r\n", b"\n", b"\r", b"\r\n\r\n", b" ", b"A: b", b"Event: X", b"Event: VarSet",
    b"Event: VarSet\r\n", b"Event: Newexten\r\n", b"Event: Hangup", b"ActionID: 1",
    b"Variable: QUEUESTATUS", b"Variable: MIXMONITOR_FILENAME", b"\xd0",
]
_TRACES = [(FIXTURES / f"{name}.ami").read_bytes() for name in ("queue_timeout", "busy")]


@pytest.mark.parametrize("seed", range(1000))
def test_the_messages_wanted_are_those_worth_reading_of_every_message(seed: int) -> None:
    """Finding the wanted messages in a whole read equals cutting every one and sieving them."""
    draw = random.Random(seed)
    if draw.random() < 0.4:  # a real stream, a little damaged
        trace = draw.choice(_TRACES)
        start = draw.randrange(len(trace))
        stream = bytearray(trace[start : start + draw.randrange(1, 4000)])
        for _ in range(draw.randrange(4)):
            at = draw.randrange(len(stream) + 1)
            stream[at:at] = draw.choice(_PIECES)
    else:
        stream = bytearray(b"".join(draw.choice(_PIECES) for _ in range(draw.randrange(1, 80))))
    limit = draw.choice([MAX_MESSAGE_BYTES, 10, 200])
    every, wanted = MessageSplitter(limit), MessageSplitter(limit)
    every.feed(BANNER_PREFIX + b"6.0.0\r\n")
    wanted.feed(BANNER_PREFIX + b"6.0.0\r\n")
    cuts = sorted(draw.sample(range(len(stream) + 1), min(len(stream) + 1, draw.randrange(1, 6))))
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        read = bytes(stream[start:end])

        assert wanted.feed_wanted(read) == worth_reading(every.feed(read))
    # The same bytes wait for the next read.
    assert wanted.feed(b"\r\n\r\n") == every.feed(b"\r\n\r\n")


def headers_by_the_rule(raw: bytes) -> dict[str, str] | None:
    """The documented rule, line by line: first colon, one space off, first value kept."""
    headers: dict[str, str] = {}
    for line in raw.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(":")
        if sep and key and key not in headers:
            headers[key] = value.removeprefix(" ")
    return headers if "Event" in headers or "Response" in headers else None


@pytest.mark.parametrize("seed", range(300))
def test_headers_follow_the_rule_however_odd_the_lines(seed: int) -> None:
    draw = random.Random(seed)
    odd = draw.random() < 0.5  # half the messages as Asterisk writes them, half anything
    keys = [b"Event", b"Response", b"A", b"B"] + ([b"", b"A:b", b" "] if odd else [])
    seps = [b": "] + ([b":", b"", b":  "] if odd else [])
    values = [b"x", b"", b"y: z", b"\xd0\xb8", b" ", b"\xd0"]
    raw = b"\r\n".join(draw.choice(keys) + draw.choice(seps) + draw.choice(values)
                        for _ in range(draw.randrange(1, 12)))

    assert parse_message(raw) == headers_by_the_rule(raw)


@pytest.mark.parametrize("raw", [
    b"Event: X\r\nA: b\r c\nD: e",  # a CR and an LF apart: three lines, one without ": "
    b"Event: X\r\nA: b\xe2\x80\xa8C: d",  # U+2028 ends a line too
    b"Event: X\r\nA: b\xc2\x85C: d",  # and so does U+0085
    b"Event: X\r\nA: b\x0bC: d",
    b"Event: X\r\n: b\r\nC: d",  # no key
    b"Event: X\r\nA:b\r\nC: d e",
    b"Event: X\r\nA: \xd0\r\nA: second\r\nB: \xff:",
    b"Event: X\r\nA: b\r\n",
    b"Event: X\r\nA: b\r\n\r\nC: d",
])
def test_messages_that_look_plain_follow_the_rule_too(raw: bytes) -> None:
    assert parse_message(raw) == headers_by_the_rule(raw)


@pytest.mark.parametrize("seed", range(300))
def test_without_a_bare_empty_line_the_short_scan_finds_what_the_full_scan_finds(seed: int) -> None:
    draw = random.Random(seed)
    stream = b""
    for _ in range(draw.randrange(1, 120)):
        piece = draw.choice(_PIECES)
        if b"\n\n" not in stream + piece:
            stream += piece

    def matches(pattern: re.Pattern[bytes]) -> list[tuple[int, bool]]:
        return [(found.end(), bool(found.lastindex)) for found in pattern.finditer(stream)]

    assert matches(sieve._SCAN_FROM_EMPTY_LINES) == matches(sieve._SCAN)
