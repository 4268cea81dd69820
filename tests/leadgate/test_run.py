"""`leadgate run` on its embedded defaults serves a form post and the card, then stops cleanly."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_listening(port: int, process: subprocess.Popen[str]) -> None:
    for _ in range(300):
        assert process.poll() is None, process.communicate()[1]
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("leadgate run never started listening")


def _post(url: str, body: dict[str, str]) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def test_run_with_defaults_accepts_a_form_and_creates_the_sqlite_database(tmp_path: Path) -> None:
    (tmp_path / "leadgate.toml").write_text(
        '[forms.contact]\nname = "Contact"\ndefault_region = "UZ"\n'
    )
    port = _free_port()
    env = {"PATH": "/usr/bin:/bin", "LEADGATE_HTTP_PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "leadgate.cli", "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until_listening(port, process)
        status, body = _post(f"http://127.0.0.1:{port}/forms/contact", {"phone": "90 123 45 67"})
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)

    assert status == 201 and body["lead_id"] == 1 and body["deduplicated"] is False
    assert process.returncode == 0, stderr
    assert (tmp_path / "leadgate.db").exists()


def test_run_with_workers_serves_from_every_process_and_stops_them_all(
    tmp_path: Path, postgres_url: str
) -> None:
    (tmp_path / "leadgate.toml").write_text(
        '[forms.contact]\nname = "Contact"\ndefault_region = "UZ"\n'
        '[webforms]\nrate_limit_per_minute = 0\n'
    )
    port = _free_port()
    env = {"PATH": "/usr/bin:/bin", "LEADGATE_HTTP_PORT": str(port),
           "LEADGATE_DATABASE_URL": postgres_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "leadgate.cli", "run", "--workers", "2"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        _wait_until_listening(port, process)
        workers = _wait_for_children(process.pid, 1)
        serving = _serving_pids(port, 2)
        statuses = [
            _post(f"http://127.0.0.1:{port}/forms/contact", {"phone": f"90 123 45 {n:02d}"})[0]
            for n in range(40)
        ]

    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)

    assert statuses == [201] * 40
    assert len(workers) == 1
    assert serving == {process.pid, *workers}
    assert process.returncode == 0, stderr
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


def test_run_with_workers_on_sqlite_is_refused_with_a_reason(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "leadgate.cli", "run", "--workers", "2"], cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60,
    )

    assert result.returncode == 2
    assert "--workers needs PostgreSQL" in result.stderr


def _serving_pids(port: int, count: int) -> set[int]:
    """The processes answering on the port, once `count` of them do (new connection each time:
    the kernel spreads connections over the processes listening with SO_REUSEPORT)."""
    seen: set[int] = set()
    for _ in range(600):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
            seen.add(json.loads(answer.read())["pid"])
        if len(seen) >= count:
            return seen
        time.sleep(0.05)
    return seen


def _wait_for_children(parent: int, count: int) -> list[int]:
    for _ in range(300):
        children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        if len(children) >= count:
            return [int(pid) for pid in children]
        time.sleep(0.1)
    raise AssertionError("no worker process started")
