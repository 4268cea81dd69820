"""Every user error is one line on stderr and a non-zero exit (2 for configuration)."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.leadgate.test_run import _free_port, _wait_until_listening


def leadgate(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": "/usr/bin:/bin", "LEADGATE_DATABASE_URL": "sqlite+aiosqlite:///./t.db",
                   **env}
    return subprocess.run([sys.executable, "-m", "leadgate.cli", *args], cwd=cwd,
                          env=environment, capture_output=True, text=True, timeout=120)


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("leadgate: error: ")
    return lines[0]


def test_tokens_create_on_a_new_database_prints_a_token(tmp_path: Path) -> None:
    result = leadgate("tokens", "create", "--role", "admin", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("lg_")


@pytest.mark.parametrize(("url", "says"), [
    ("not a url", "LEADGATE_DATABASE_URL must look like"),
    ("postgres://u@127.0.0.1/db", "not postgres://"),
    ("sqlite+aiosqlite:////no/such/folder/x.db", "the folder /no/such/folder"),
])
def test_a_database_url_leadgate_cannot_use_is_a_configuration_error(
    tmp_path: Path, url: str, says: str
) -> None:
    result = leadgate("db", "upgrade", cwd=tmp_path, LEADGATE_DATABASE_URL=url)

    assert result.returncode == 2
    assert says in one_line(result)


def test_an_unreachable_database_is_one_line_without_the_password(tmp_path: Path) -> None:
    port = _free_port()  # nothing listens there
    url = f"postgresql+asyncpg://leadgate:s3cret@127.0.0.1:{port}/leadgate"
    result = leadgate("managers", "list", cwd=tmp_path, LEADGATE_DATABASE_URL=url)

    assert result.returncode == 1
    line = one_line(result)
    assert f"127.0.0.1:{port}/leadgate cannot be used" in line and "s3cret" not in line


def test_an_unknown_key_names_the_closest_known_one(tmp_path: Path) -> None:
    (tmp_path / "leadgate.toml").write_text('[forms.contact]\nnam = "Contact"\n')
    result = leadgate("run", cwd=tmp_path)

    assert result.returncode == 2
    assert one_line(result).endswith("unknown config key 'forms.contact.nam'; did you mean 'name'?")


def test_a_region_that_is_no_country_is_refused(tmp_path: Path) -> None:
    (tmp_path / "leadgate.toml").write_text('default_region = "XX"\n')
    result = leadgate("db", "upgrade", cwd=tmp_path)

    assert result.returncode == 2 and "'XX' is no ISO country code" in one_line(result)


def test_a_missing_config_file_is_an_error(tmp_path: Path) -> None:
    result = leadgate("--config", "missing.toml", "run", cwd=tmp_path)

    assert result.returncode == 2 and "missing.toml does not exist" in one_line(result)


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = leadgate("run", cwd=tmp_path, LEADGATE_HTTP_PORT=str(port))

    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}: the port is in use" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_run_without_a_config_says_so_first_and_stops_cleanly_in_json(
    tmp_path: Path, stop: signal.Signals
) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "leadgate.cli", "run"], cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "LEADGATE_HTTP_PORT": str(port),
             "LEADGATE_LOG_FORMAT": "json"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_until_listening(port, process)
        health = _healthz_once_ok(port)
    finally:
        process.send_signal(stop)
        _, stderr = process.communicate(timeout=60)
    lines = [json.loads(line) for line in stderr.splitlines()]

    assert process.returncode == 0
    assert "no config file" in lines[0]["message"] and lines[0]["level"] == "WARNING"
    messages = [line["message"] for line in lines]
    stopping = messages.index("stopping: finishing the requests in flight")
    assert messages[-1] == "stopped"
    assert {"loop sla is stopped", "loop outbox is stopped"} <= set(messages[stopping:])
    assert health["loops"]["sla"]["state"] == "ok"


def _healthz_once_ok(port: int) -> dict[str, Any]:
    for _ in range(100):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
            health: dict[str, Any] = json.loads(answer.read())
        if health["status"] == "ok":
            break
        time.sleep(0.1)
    return health


def test_a_managers_region_that_is_no_country_is_refused(tmp_path: Path) -> None:
    (tmp_path / "leadgate.toml").write_text('[managers.aziz]\nregions = ["UZ", "QQ"]\n')
    result = leadgate("managers", "list", cwd=tmp_path)

    assert result.returncode == 2
    assert "managers.aziz.regions 'QQ' is no ISO country code" in one_line(result)


def test_a_request_in_flight_when_sigterm_comes_is_answered_and_stored(tmp_path: Path) -> None:
    (tmp_path / "leadgate.toml").write_text('[forms.contact]\ndefault_region = "UZ"\n')
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "leadgate.cli", "run"], cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "LEADGATE_HTTP_PORT": str(port)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    body = b'{"phone": "90 123 45 67", "name": "Aziz"}'
    try:
        _wait_until_listening(port, process)
        # Another writer holds SQLite's write lock: the post is received and waits for its commit.
        blocker = sqlite3.connect(tmp_path / "leadgate.db", isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        with socket.create_connection(("127.0.0.1", port), timeout=20) as client:
            client.sendall(b"POST /forms/contact HTTP/1.1\r\nHost: x\r\n"
                           b"Content-Type: application/json\r\n"
                           b"Content-Length: %d\r\n\r\n" % len(body) + body)
            time.sleep(0.5)
            process.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            blocker.execute("ROLLBACK")
            answer = client.recv(65536).decode()
    finally:
        _, stderr = process.communicate(timeout=60)

    assert answer.startswith("HTTP/1.1 201"), answer
    assert process.returncode == 0, stderr
    assert stderr.strip().splitlines()[-1].endswith("stopped")
    with sqlite3.connect(tmp_path / "leadgate.db") as db:
        assert db.execute("SELECT count(*) FROM leads").fetchone() == (1,)
