"""Which AMI messages are worth decoding, found in a whole read at once without cutting the rest."""

from __future__ import annotations

import re

# With `read = all` most messages are events the call tracker never reads (VarSet alone is over
# half): they are recognised by their first bytes and never decoded. Of VarSet, only the
# recording's file name and a queue call's QUEUESTATUS matter; a message with an ActionID may
# answer an action of ours.
UNREAD_EVENT_NAMES = (
    b"VarSet", b"Newexten", b"DeviceStateChange", b"QueueMemberStatus", b"Newstate",
    b"NewConnectedLine", b"DialState", b"RTCPSent", b"RTCPReceived", b"FullyBooted",
    b"SuccessfulAuth", b"BridgeCreate", b"BridgeLeave", b"BridgeDestroy", b"AgentCalled",
    b"AgentComplete", b"MusicOnHoldStart", b"MusicOnHoldStop", b"QueueCallerLeave",
    b"MixMonitorStart",
)  # fmt: skip
_UNREAD_EVENTS = tuple(b"Event: %s\r\n" % name for name in UNREAD_EVENT_NAMES)
_RECORDING, _QUEUE_STATUS = b"Variable: MIXMONITOR_FILENAME", b"Variable: QUEUESTATUS"
_READ_ANYWAY = (_RECORDING, _QUEUE_STATUS, b"ActionID:")
_END = b"\r\n\r\n"

# One pass over a read finds every message end followed by a message that is not an unread
# event, and every line feed a plain CRLF split would read differently from Asterisk's framing
# (a bare "\n\n", or a bare "\n" before CRLF: group 1 or 2), which sends the read the slow way.
_SCAN = re.compile(
    rb"\n(?:(\n)|\r\n(?:(?<!\r\n\r\n)()|(?!Event: (?:%s)\r\n(?!\r\n))))"
    % b"|".join(UNREAD_EVENT_NAMES)
)
# Without a "\n\n" anywhere (Asterisk's own streams), `_SCAN` can only ever match at a "\n\r\n",
# and there this pattern matches just as it does: scanning for "\n\r\n" alone spares the match
# attempt at every other line end, which is most of a scan's cost.
_SCAN_FROM_EMPTY_LINES = re.compile(
    rb"\n\r\n(?:(?<!\r\n\r\n)()|(?!Event: (?:%s)\r\n(?!\r\n)))" % b"|".join(UNREAD_EVENT_NAMES)
)


def worth_reading(messages: list[bytes]) -> list[bytes]:
    """The messages left once blank ones and events no one reads are dropped, undecoded."""
    # One comprehension over a read's messages, not a call per message: most are dropped.
    return [
        raw for raw in messages
        if (raw[:1].isalpha() or raw.strip())
        and not (
            raw.startswith(_UNREAD_EVENTS)
            and _RECORDING not in raw
            and _QUEUE_STATUS not in raw
            and b"ActionID:" not in raw
        )
    ]


def wanted_messages(buffer: bytes) -> tuple[list[bytes], bytes] | None:
    """`worth_reading` of the whole messages of a CRLF buffer, and the unfinished rest.

    Equal to cutting the buffer at every empty line and sieving each message, at the cost of
    one scan: the unread messages are never cut out. None when the buffer's line ends need
    the careful way (a bare line feed near an empty line, or an ambiguous last end).
    """
    last = buffer.rfind(_END)
    if last > 0 and buffer[last - 1] == 10:  # "\n\r\n\r\n": which end is the message's?
        return None
    starts = [0]
    scan = _SCAN if b"\n\n" in buffer else _SCAN_FROM_EMPTY_LINES
    for found in scan.finditer(buffer):
        if found.lastindex:
            return None
        starts.append(found.end())
    if last < 0:
        return [], buffer
    for needle in _READ_ANYWAY:
        if not _extra_starts(buffer, needle, last, starts):
            return None
    messages = [buffer[s : buffer.find(_END, s)] for s in sorted(set(starts)) if s <= last]
    return worth_reading(messages), buffer[last + 4 :]


def _extra_starts(buffer: bytes, needle: bytes, last: int, starts: list[int]) -> bool:
    """Add where the messages holding `needle` start; False if one's start is ambiguous."""
    at = buffer.find(needle, 0, last)
    while at >= 0:
        start = buffer.rfind(_END, 0, at) + 4
        if start < 4:
            start = 0
        elif buffer[start - 5 : start - 4] == b"\n":  # inside "\r\n\r\n\r\n" again
            return False
        starts.append(start)
        at = buffer.find(needle, buffer.find(_END, at), last)
    return True
