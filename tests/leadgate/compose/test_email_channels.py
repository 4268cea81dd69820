"""`leadgate run` with [smtp]: a mail sent to it reaches the card."""

from __future__ import annotations

import signal
import smtplib
import sqlite3
import subprocess
import sys
from pathlib import Path

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
