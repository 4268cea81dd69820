"""The quick parse of a plain mail builds exactly the message the stdlib's parser builds."""

from __future__ import annotations

from email import policy
from email.message import Message
from email.parser import BytesParser
from typing import Any

import pytest

from channels.email.mime import parse_message
from tests.channels.email.conftest import MAIL

HEAD = b"From: Client <client@example.org>\r\nSubject: test\r\n"
SHAPES = {
    "plain": HEAD + b"Content-Type: text/plain; charset=utf-8\r\n\r\nhello \xd0\x96\r\n",
    "folded headers": b"Subject: a\r\n b\r\n\t c\r\nX-Empty:\r\n  \r\nTo:   x@y.z\r\n\r\nbody",
    "no body": HEAD + b"\r\n",
    "blank lines in the body": HEAD + b"\r\n\r\n\r\nx\r\n\r\n",
    "bare LF line ends": HEAD.replace(b"\r\n", b"\n") + b"\nbody\n",
    "bare CR in a header": b"Subject: a\rb\r\n\r\nbody",
    "a continuation first": b" folded\r\nSubject: x\r\n\r\nbody",
    "a unix From line": b"From someone Mon Nov  2 09:15:00 2026\r\n" + HEAD + b"\r\nbody",
    "a line that is no header": HEAD + b"not a header\r\n\r\nbody",
    "a colon first": b": no name\r\n" + HEAD + b"\r\nbody",
    "multipart": HEAD + b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
                 b"--b\r\n\r\nx\r\n--b--\r\n",
    "message/rfc822": HEAD + b"Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nx",
    "8-bit header name": b"X-\xff: a\r\n\r\nbody",
    "no separator": HEAD,
}


def state(message: Message) -> dict[str, Any]:
    found = dict(vars(message))
    found["defects"] = [type(defect) for defect in message.defects]
    payload = message.get_payload()
    if isinstance(payload, list):
        found["_payload"] = [state(part) for part in payload]
    return found


@pytest.mark.parametrize("raw", [*SHAPES.values(), *(p.read_bytes() for p in sorted(
    MAIL.glob("*.eml")))], ids=[*SHAPES, *(p.stem for p in sorted(MAIL.glob("*.eml")))])
def test_the_message_is_the_one_the_stdlib_parser_builds(raw: bytes) -> None:
    expected = BytesParser(policy=policy.compat32).parsebytes(raw)

    assert state(parse_message(raw)) == state(expected)
