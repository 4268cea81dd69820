"""Mail sections are checked before anything runs; a wrong key is named."""

from __future__ import annotations

import pytest

from channels.email.settings import MailSettings


@pytest.mark.parametrize(("raw", "message"), [
    ({"imap": {"mailboxes": [{"host": "imap.example.uz", "user": "sales"}]}}, "password"),
    ({"imap": {"mailboxes": [{"host": "h", "user": "u", "password": "p", "tls": "yes"}]}},
     "tls must be"),
    ({"imap": {"mailboxes": [{"host": "h", "user": "u", "password": "p",
                              "after_import": "move"}]}}, "move_to"),
    ({"smtp": {"listen": "127.0.0.1:2525"}}, "recipients"),
    ({"smtp": {"listen": "everywhere", "recipients": ["a@b.c"]}}, "host:port"),
    ({"email": {"loop_max_mails": 0}}, "loop_max_mails"),
])
def test_a_wrong_mail_section_is_refused_naming_the_key(raw: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MailSettings.from_config(raw, default_region=None)
