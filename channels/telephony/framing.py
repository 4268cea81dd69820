"""The AMI framing (pure): bytes in, whole messages out, decoded only once a message is complete."""

from __future__ import annotations

import re

from channels.telephony.sieve import wanted_messages, worth_reading

BANNER_PREFIX = b"Asterisk Call Manager/"
# Messages end with an empty line; Asterisk 18.19+/20.4+ ends some with "\r\n\n".
_MESSAGE_END = re.compile(rb"\r?\n\r?\n")
MAX_MESSAGE_BYTES = 256 * 1024

Headers = dict[str, str]

# What shapes a message's lines once decoded: control bytes (CR, LF and the other line breaks),
# colons, and the lead bytes of U+0085, U+2028 and U+2029 (which `splitlines` breaks at too).
# Every other byte is kept out of a message's shape, and no decoding ever merges one into these.
_SHAPE_BYTES = frozenset(range(0x20)) | frozenset(b":\xc2\xe2")
_NOT_SHAPE = bytes(b for b in range(256) if b not in _SHAPE_BYTES)
_MAX_PLAIN_LINES = 128
# The shape of `lines` plain lines: one colon each, CRLF between them.
_PLAIN_SHAPES = [b":\r\n" * (lines - 1) + b":" for lines in range(1, _MAX_PLAIN_LINES + 1)]


class MessageSplitter:
    """Cuts a TCP byte stream into whole AMI messages, however the reads split it."""

    def __init__(self, max_message_bytes: int = MAX_MESSAGE_BYTES) -> None:
        self._buffer = b""
        self._max = max_message_bytes
        self.banner: str | None = None

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes; return every message they complete (without the blank line)."""
        buffer = self._with_banner_taken(data)
        return [] if buffer is None else self._cut(buffer)

    def feed_wanted(self, data: bytes) -> list[bytes]:
        """Add bytes; return the messages they complete that are `worth_reading`."""
        buffer = self._with_banner_taken(data)
        if buffer is None:
            return []
        found = wanted_messages(buffer)
        if found is None:
            return worth_reading(self._cut(buffer))
        messages, self._buffer = found
        self._bound()
        return messages

    def _with_banner_taken(self, data: bytes) -> bytes | None:
        """The buffered bytes and `data`; None (bytes kept) while the banner line is awaited."""
        buffer = self._buffer + data
        if self.banner is None:
            buffer = self._take_banner(buffer)
            if self.banner is None:
                self._buffer = buffer
                return None
        return buffer

    def _cut(self, buffer: bytes) -> list[bytes]:
        # Where every line ends in CRLF, a plain split finds exactly what the pattern would
        # (at a tenth of its cost); only a stream with bare LFs needs the pattern.
        if buffer.count(b"\n") == buffer.count(b"\r\n"):
            parts = buffer.split(b"\r\n\r\n")
        else:
            parts = _MESSAGE_END.split(buffer)
        self._buffer = parts.pop()
        self._bound()
        return parts

    def _bound(self) -> None:
        if len(self._buffer) > self._max:
            # A frame that never ends would grow without bound: drop it, resync on the next one.
            self._buffer = b""

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


def parse_message(raw: bytes) -> Headers | None:
    """Decode one whole message into its headers; None if it is no event or response.

    A header's key is what precedes its first colon, its value what follows less one space;
    keys that repeat keep their first value; a `Key:` with nothing after it is an empty value.
    """
    shape = raw.translate(None, _NOT_SHAPE)
    lines = len(shape) // 3 + 1
    headers = None
    if lines <= _MAX_PLAIN_LINES and shape == _PLAIN_SHAPES[lines - 1]:
        # One split cuts the keys and values of every line at once. Each line has one colon;
        # the count of what the split found proves each colon is followed by a space and each
        # CR by its LF, so the lines are those `splitlines` gives and each is `Key: value`.
        tokens = raw.replace(b"\r\n", b": ").decode("utf-8", "replace").split(": ")
        if len(tokens) == 2 * lines:
            # From the last line to the first, so that a repeated key keeps its first value.
            headers = dict(zip(tokens[-2::-2], tokens[::-2], strict=True))
            if "" in headers:
                headers = None
    if headers is None:
        headers = _headers_of_text(raw)
    if "Event" not in headers and "Response" not in headers:
        return None
    return headers


def _headers_of_text(raw: bytes) -> Headers:
    """The headers of any message, however odd its lines."""
    lines = raw.decode("utf-8", "replace").splitlines()
    try:
        # Every line `Key: value` (the common case): built in one step, from the last line to
        # the first so that a repeated key keeps its first value.
        headers: Headers = dict(reversed([line.split(": ", 1) for line in lines]))
    except ValueError:  # a line without ": "
        return _headers_of(lines)
    if ":" in "\n".join(headers) or "" in headers:  # a colon came first, or no key
        return _headers_of(lines)
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
