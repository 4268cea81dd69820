"""Malformed mail never crashes the channel: every input gives an event (maybe an ignored one)."""

from __future__ import annotations

import base64
import os

import pytest

from channels.email.parse import parse_mail

HEAD = b"From: Client <client@example.org>\r\nSubject: test\r\n"


def mime(body: bytes, boundary: bytes = b"B1") -> bytes:
    return (HEAD + b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"" + boundary
            + b"\"\r\n\r\n" + body)


CORPUS = {
    "empty": b"",
    "binary noise": os.urandom(4096),
    "no headers at all": b"just some text +7 912 345 67 89\r\n",
    "boundary never closed": mime(b"--B1\r\nContent-Type: text/plain\r\n\r\nhello\r\n"),
    "boundary never opened": mime(b"hello without parts\r\n--B2--\r\n"),
    "boundary missing from the header": HEAD + b"Content-Type: multipart/mixed\r\n\r\n--x\r\n",
    "nested forty deep": mime(b"".join(
        b"--B%d\r\nContent-Type: multipart/mixed; boundary=\"B%d\"\r\n\r\n" % (n, n + 1)
        for n in range(1, 41)) + b"--B41\r\nContent-Type: text/plain\r\n\r\ndeep\r\n"),
    "invalid base64": HEAD + b"Content-Transfer-Encoding: base64\r\n\r\n!!!not*base64@@@\r\n",
    "invalid quoted-printable": HEAD + b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                                b"=ZZ=\r\n",
    "charset that does not exist": HEAD + b"Content-Type: text/plain; charset=klingon\r\n\r\n"
                                   b"\xd1\xf0\xee\xf7\xed\xee\r\n",
    "utf-8 claimed, latin-1 sent": HEAD + b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
                                    b"caf\xe9 \xff\xfe\r\n",
    "encoded word in a broken charset": b"From: =?bogus?Q?=FF=FE?= <x@example.org>\r\n"
                                        b"Subject: =?utf-8?B?###?=\r\n\r\nbody\r\n",
    "unparseable addresses": b"From: <<<@@@>>>\r\nReply-To: ,,,;;\r\n"
                             b"To: \"unterminated\r\n\r\nx\r\n",
    "unparseable date": HEAD + b"Date: the day after tomorrow\r\n\r\nx\r\n",
    "ten thousand headers": HEAD + b"".join(b"X-H-%d: %d\r\n" % (n, n) for n in range(10_000))
                            + b"\r\nbody\r\n",
    "a header line of a megabyte": HEAD + b"X-Long: " + b"a" * 1_000_000 + b"\r\n\r\nx\r\n",
    "html that never closes": HEAD + b"Content-Type: text/html\r\n\r\n<div><p><b>hi <i>+7 912 "
                              b"345 67 89<script>alert(1)",
    "lone CR line ends": HEAD.replace(b"\r\n", b"\r") + b"\rbody\r",
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_a_malformed_mail_gives_an_event_not_an_exception(name: str) -> None:
    event = parse_mail(CORPUS[name], "sales@example.uz", "RU")

    assert event.channel == "email"
    assert event.external_id
    assert event.identities or event.ignored


def test_a_ten_megabyte_attachment_is_listed_not_kept_in_the_text() -> None:
    attachment = base64.encodebytes(os.urandom(10 * 1024 * 1024))
    raw = mime(b"--B1\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--B1\r\n"
               b"Content-Type: application/octet-stream; name=big.bin\r\n"
               b"Content-Disposition: attachment; filename=big.bin\r\n"
               b"Content-Transfer-Encoding: base64\r\n\r\n" + attachment + b"--B1--\r\n")

    event = parse_mail(raw, "sales@example.uz", "RU")

    assert event.text == "see attached"
    assert event.raw is not None and len(event.raw) < 10_000  # listed, not stored
    [listed] = event.details["attachments"]
    assert (listed["name"], listed["size"]) == ("big.bin", 10 * 1024 * 1024)


def test_a_mail_nested_two_thousand_levels_deep_is_kept_as_ignored_with_the_reason() -> None:
    depth = 2000
    opening = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (n, n)
                       for n in range(depth))
    closing = b"".join(b"--b%d--\r\n" % n for n in reversed(range(depth)))
    mail = (b"From: a@example.org\r\nTo: s@example.uz\r\nMessage-ID: <deep@example.org>\r\n"
            b"MIME-Version: 1.0\r\n" + opening + b"Content-Type: text/plain\r\n\r\nhi\r\n"
            + closing)

    event = parse_mail(mail, "s@example.uz", "UZ")

    assert event.external_id == "deep@example.org"
    assert event.ignored is not None and "nested too deeply" in event.ignored
