"""SQLite takes one Leadgate process: a second one is refused in one line that says why."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crm_store.sqlite_lock import one_process
from leads.errors import DatabaseBusy


def test_a_second_holder_of_one_sqlite_database_is_refused(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'leadgate.db'}"
    with one_process(url), pytest.raises(DatabaseBusy, match="SQLite takes one process"), \
            one_process(url):
        pass
    with one_process(url):
        pass  # free again once the first holder let go


def test_postgresql_and_memory_databases_take_any_number_of_processes() -> None:
    for url in ("postgresql+asyncpg://x@h/db", "sqlite+aiosqlite://"):
        with one_process(url), one_process(url):
            pass


def test_leadgate_run_beside_another_on_the_same_sqlite_file_exits_with_one_line(
    tmp_path: Path,
) -> None:
    with one_process(f"sqlite+aiosqlite:///{tmp_path / 'leadgate.db'}"):
        result = subprocess.run(
            [sys.executable, "-m", "leadgate.cli", "run"], cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "LEADGATE_DATABASE_URL":
                 f"sqlite+aiosqlite:///{tmp_path / 'leadgate.db'}"},
            capture_output=True, text=True, timeout=120)

    assert result.returncode == 2
    [line] = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert line.startswith("leadgate: error: another Leadgate process")
    assert line.endswith("run several on PostgreSQL")
