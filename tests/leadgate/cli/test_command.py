"""The leadgate command as a user runs it: help, schema upgrade, tokens, clear errors."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from crm_store.migrate import head_revision
from leadgate.cli.command import run_service


def leadgate(*args: str, cwd: Path, env_db: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "LEADGATE_DATABASE_URL": env_db or "sqlite+aiosqlite:///./t.db"}
    return subprocess.run(
        [sys.executable, "-m", "leadgate.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_every_command_has_help(tmp_path: Path) -> None:
    for command in ([], ["run"], ["db", "upgrade"], ["tokens", "create"], ["tokens", "list"],
                    ["tokens", "revoke"], ["managers", "add"], ["managers", "set"],
                    ["managers", "list"], ["report", "funnel"]):
        result = leadgate(*command, "--help", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "usage: leadgate" in result.stdout


def test_db_upgrade_then_token_create_prints_the_token_last(tmp_path: Path) -> None:
    upgraded = leadgate("db", "upgrade", cwd=tmp_path)
    token = leadgate("tokens", "create", "--role", "admin", cwd=tmp_path)

    assert upgraded.returncode == 0, upgraded.stderr
    assert f"database at revision {head_revision()}" in upgraded.stdout
    assert token.returncode == 0
    assert token.stdout.strip().splitlines()[-1].startswith("lg_")


def test_manager_token_for_an_unknown_manager_fails_with_a_clear_message(tmp_path: Path) -> None:
    leadgate("db", "upgrade", cwd=tmp_path)
    result = leadgate("tokens", "create", "--role", "manager", "--manager", "ghost", cwd=tmp_path)

    assert result.returncode != 0
    assert "no manager with login 'ghost'" in result.stderr


def test_bad_config_is_reported_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "leadgate.toml").write_text('default_region = "Uzbekistan"\n')
    result = leadgate("db", "upgrade", cwd=tmp_path)

    assert result.returncode == 2
    assert "default_region must be a two-letter ISO country code" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_role_is_refused(tmp_path: Path) -> None:
    result = leadgate("tokens", "create", "--role", "root", cwd=tmp_path)

    assert result.returncode == 2 and "invalid choice" in result.stderr


async def _loop_class() -> int:
    print(type(asyncio.get_running_loop()).__module__)
    return 0


def test_the_service_runs_on_uvloop_where_it_is_installed(capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    assert run_service(_loop_class()) == 0
    assert capsys.readouterr().out.startswith("uvloop")


def test_without_uvloop_the_service_runs_on_asyncios_own_loop(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # as if it were not installed
    assert run_service(_loop_class()) == 0
    assert capsys.readouterr().out.startswith("asyncio")
