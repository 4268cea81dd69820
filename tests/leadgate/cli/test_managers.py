"""`leadgate managers add|list|set` as an administrator uses it."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.leadgate.cli.test_command import leadgate


def test_a_manager_is_added_listed_and_sent_away(tmp_path: Path) -> None:
    added = leadgate("managers", "add", "aziz", "--name", "Aziz Yusupov", "--teams", "sales,vip",
                     "--telegram-chat-id", "4000001", "--extension", "201", "--capacity", "15",
                     "--hours", "Mon-Fri 09:00-18:00 Asia/Tashkent", "--languages", "uz,ru",
                     cwd=tmp_path)
    away = leadgate("managers", "set", "aziz", "--away", "--teams", "sales", cwd=tmp_path)
    listed = leadgate("managers", "list", "--json", cwd=tmp_path)

    assert added.returncode == 0, added.stderr
    assert away.returncode == 0, away.stderr
    [aziz] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert aziz["name"] == "Aziz Yusupov" and aziz["extension"] == "201"
    assert aziz["telegram_chat_id"] == 4000001 and aziz["capacity"] == 15
    assert aziz["languages"] == ["uz", "ru"] and aziz["teams"] == ["sales"]
    assert aziz["available"] is False


def test_bad_manager_input_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    twice = [leadgate("managers", "add", "olga", cwd=tmp_path) for _ in range(2)]
    unknown = leadgate("managers", "set", "nobody", "--away", cwd=tmp_path)
    bad_hours = leadgate("managers", "add", "ira", "--hours", "9 to 5", cwd=tmp_path)
    bad_capacity = leadgate("managers", "add", "ira", "--capacity", "-1", cwd=tmp_path)

    assert twice[0].returncode == 0
    assert twice[1].returncode == 2 and "exists already" in twice[1].stderr
    assert unknown.returncode == 2 and "no manager 'nobody'" in unknown.stderr
    assert bad_hours.returncode == 2 and "time zone" in bad_hours.stderr
    assert bad_capacity.returncode == 2 and "capacity" in bad_capacity.stderr


def test_a_password_from_standard_input_is_stored_as_an_argon2_hash_and_admin_is_a_flag(
    tmp_path: Path,
) -> None:
    leadgate("managers", "add", "aziz", cwd=tmp_path)
    env = {"PATH": "/usr/bin:/bin", "LEADGATE_DATABASE_URL": "sqlite+aiosqlite:///./t.db"}
    runs = [subprocess.run([sys.executable, "-m", "leadgate.cli", "managers", "set", "aziz",
                            *extra], input=password, cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=60)
            for extra, password in ((["--password-stdin", "--admin"], "correct horse\n"),
                                    (["--password-stdin"], "short\n"))]
    with sqlite3.connect(tmp_path / "t.db") as db:
        row = db.execute("SELECT password_hash, is_admin FROM manager_accounts").fetchone()
    stored, admin = row

    assert runs[0].returncode == 0, runs[0].stderr
    assert stored.startswith("$argon2id$") and "correct horse" not in stored and admin == 1
    assert runs[1].returncode == 2 and "at least 8 characters" in runs[1].stderr
