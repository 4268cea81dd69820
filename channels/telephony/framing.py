"""The AMI framing (pure): bytes in, whole messages out, decoded only once a message is complete."""

from __future__ import annotations

import re

BANNER_PREFIX = b"Asterisk Call Manager/"
# Messages end with an empty line; Asterisk 18.19+/20.4+ ends some with "\r\n\n".
_MESSAGE_END = re.compile(rb"\r?\n\r?\n")
MAX_MESSAGE_BYTES = 256 * 1024

Headers = dict[str, str]


class MessageSplitter:
    """Cuts a TCP byte stream into whole AMI messages, however the reads split it."""

    def __init__(self, max_message_bytes: int = MAX_MESSAGE_BYTES) -> None:
        self._buffer = b""
        self._max = max_message_bytes
        self.banner: str | None = None

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes; return every message they complete (without the blank line)."""
        buffer = self._buffer + data
        if self.banner is None:
            buffer = self._take_banner(buffer)
            if self.banner is None:
                self._buffer = buffer
                return []
        # Where every line ends in CRLF, a plain split finds exactly what the pattern would
        # (at a tenth of its cost); only a stream with bare LFs needs the pattern.
        if buffer.count(b"\n") == buffer.count(b"\r\n"):
            parts = buffer.split(b"\r\n\r\n")
        else:
            parts = _MESSAGE_END.split(buffer)
        self._buffer = parts.pop()
        if len(self._buffer) > self._max:
            # A frame that never ends would grow without bound: drop it, resync on the next one.
            self._buffer = b""
        return parts

    def _take_banner(self, buffer: bytes) -> bytes:
        end = buffer.find(b"\n")
        if end < 0:
            if len(buffer) > self._max:
                self.banner, buffer = "", b""
            return buffer
        if buffer.startswith(BANNER_PREFIX):
            self.banner = buffer[:end].decode("utf-8", "replace").strip()
            return buffer[end + 1 :]
        self.banner = ""
        return buffer


# With `read = all` most messages are events the call tracker never reads (VarSet alone is over
# half): they are recognised by their first bytes and never decoded. Of VarSet, only the
# recording's file name and a queue call's QUEUESTATUS matter.
_UNREAD_EVENTS = tuple(
    b"Event: %s\r\n" % name
    for name in (b"VarSet", b"Newexten", b"DeviceStateChange", b"QueueMemberStatus", b"Newstate",
                 b"NewConnectedLine", b"DialState", b"RTCPSent", b"RTCPReceived")
)
_RECORDING, _QUEUE_STATUS = b"Variable: MIXMONITOR_FILENAME", b"Variable: QUEUESTATUS"


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


def parse_message(raw: bytes) -> Headers | None:
    """Decode one whole message into its headers; None if it is no event or response.

    A header's key is what precedes its first colon, its value what follows less one space;
    keys that repeat keep their first value; a `Key:` with nothing after it is an empty value.
    """
    lines = raw.decode("utf-8", "replace").splitlines()
    try:
        # Every line `Key: value` (the common case): built in one step, from the last line to
        # the first so that a repeated key keeps its first value.
        headers: Headers = dict(reversed([line.split(": ", 1) for line in lines]))
    except ValueError:  # a line without ": "
        headers = _headers_of(lines)
    else:
        if ":" in "\n".join(headers) or "" in headers:  # a colon came first, or no key
            headers = _headers_of(lines)
    if "Event" not in headers and "Response" not in headers:
        return None
    return headers


def _headers_of(lines: list[str]) -> Headers:
    """The headers of any lines: split at the first colon; lines without one are skipped."""
    pairs = [line.partition(":") for line in lines]
    return {
        key: value[1:] if value[:1] == " " else value
        for key, sep, value in reversed(pairs)
        if sep and key
    }


def extension_of(channel: str) -> str:
    """The endpoint part of a channel name: `PJSIP/201-0000000a` → `201`."""
    _, _, rest = channel.partition("/")
    endpoint, _, _ = rest.rpartition("-")
    endpoint = endpoint or rest
    # Local channels are `Local/201@from-internal-00000001;1`.
    return endpoint.partition("@")[0]
