"""`leadgate run` with [smtp] and [[imap.mailboxes]]: mail reaches the card; bad keys are named."""

from __future__ import annotations

import signal
import smtplib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from leadgate.email_wiring import email_channels
from tests.channels.email.conftest import sample
from tests.leadgate.test_run import _free_port, _wait_until_listening


def test_leadgate_run_with_smtp_turns_a_mail_into_a_lead(tmp_path: Path) -> None:
    smtp_port, http_port = _free_port(), _free_port()
    (tmp_path / "leadgate.toml").write_text(
        f'default_region = "RU"\n[smtp]\nlisten = "127.0.0.1:{smtp_port}"\n'
        'recipients = ["sales@example.uz"]\n'
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "leadgate.cli", "run"], cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "LEADGATE_HTTP_PORT": str(http_port)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        _wait_until_listening(smtp_port, process)
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as client:
            client.sendmail("ivan.petrov@example.ru", ["sales@example.uz"],
                            sample("inquiry_plain_utf8_ru"))
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)

    with sqlite3.connect(tmp_path / "leadgate.db") as db:
        values = {row[0] for row in db.execute("SELECT value FROM identities")}
    assert process.returncode == 0, stderr
    assert {"ivan.petrov@example.ru", "+79123456789"} <= values


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
        email_channels(raw, cursors=None, default_region=None)  # type: ignore[arg-type]
