"""Many calls from few traces: copies of a captured call with their own ids, interleaved."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tests.channels.telephony.ami_server import Trace

_CALL_ID = re.compile(rb"\b(\d{10}\.\d+)\b")
_CHANNEL_SUFFIX = re.compile(rb"(-[0-9a-f]{8})\b")
_CALLER = re.compile(rb"^(CallerIDNum|ConnectedLineNum): (7\d{10}|\+998\d{9})\r$", re.MULTILINE)


def copy_of(trace: Trace, number: int, caller: str | None = None) -> list[bytes]:
    """The trace's messages with ids and channel names of their own (and another caller)."""
    tag = b"%d" % number
    copied = []
    for _, message in trace.messages:
        message = _CALL_ID.sub(lambda m: tag + b"-" + m.group(1), message)
        message = _CHANNEL_SUFFIX.sub(lambda m: m.group(1) + b"n" + tag, message)
        if caller is not None:
            message = _CALLER.sub(lambda m: m.group(1) + b": " + caller.encode() + b"\r", message)
        copied.append(message)
    return copied


def interleaved(calls: Sequence[list[bytes]]) -> bytes:
    """One stream with the calls' messages interleaved round-robin, each call in its order."""
    stream = bytearray()
    for position in range(max(len(call) for call in calls)):
        for call in calls:
            if position < len(call):
                stream += call[position]
    return bytes(stream)
