"""`leadgate report funnel` prints on a terminal the table the API answers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from leadgate.settings import Settings
from tests.reports.history import FIRST, FLOOR, LAST, Clock, build
from tests.support.leadgate_http import opened_store


def leadgate(*args: str, cwd: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "LEADGATE_DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "leadgate.cli", "--config", "leadgate.toml",
                           *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


async def test_report_funnel_by_source_prints_the_same_table(
    database_url: str, tmp_path: Path
) -> None:
    async with opened_store(Settings(database_url=database_url, default_region="UZ",
                                           raw=FLOOR, timezone=FLOOR["timezone"])) as core:
        await build(core, Clock())
    (tmp_path / "leadgate.toml").write_text('timezone = "Asia/Tashkent"\n')

    table = leadgate("report", "funnel", "--from", FIRST, "--to", LAST, "--by", "source",
                     cwd=tmp_path, database_url=database_url)
    csv = leadgate("report", "missed_calls", "--from", FIRST, "--to", LAST, "--format", "csv",
                   cwd=tmp_path, database_url=database_url)
    backwards = leadgate("report", "funnel", "--from", LAST, "--to", FIRST,
                         cwd=tmp_path, database_url=database_url)

    assert table.returncode == 0, table.stderr
    assert [line.split() for line in table.stdout.splitlines()] == [
        ["key", "leads", "accepted", "contacted", "won", "lost", "spam", "median_accept_seconds",
         "p90_accept_seconds", "median_contact_seconds", "p90_contact_seconds"],
        ["instagram", "2", "2", "2", "1", "1", "0", "90", "114", "450", "570"],
        ["yandex_direct", "2", "1", "2", "1", "0", "0", "90", "90", "1200", "1680"],
        ["call", "1", "0", "0", "0", "0", "0"],
        ["telegram", "1", "0", "0", "0", "0", "0"],
        ["webform", "1", "1", "0", "0", "0", "1", "30", "30"],
        ["total", "7", "4", "4", "2", "1", "1", "75", "111", "600", "1440"],
    ]
    assert csv.stdout.splitlines()[1] == "3,2,1,1200,1680,1"
    assert backwards.returncode == 2 and "from must not be after to" in backwards.stderr
