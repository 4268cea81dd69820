"""CPU seconds of processes read from /proc: one process, a command name, a database's backends."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat_seconds(stat: str) -> float:
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def process_cpu(pid: int) -> float:
    """User+system CPU seconds of one process (all its threads)."""
    return _stat_seconds(Path(f"/proc/{pid}/stat").read_text())


def _matching(accept: Callable[[str, bytes], bool]) -> float:
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            comm = stat[stat.index("(") + 1: stat.rindex(")")]
            if accept(comm, b"") or accept(comm, (entry / "cmdline").read_bytes()):
                total += _stat_seconds(stat)
        except OSError:
            continue
    return total


def named_cpu(names: tuple[str, ...]) -> float:
    """CPU seconds of every process whose command name starts with one of `names`."""
    return _matching(lambda comm, _cmdline: comm.startswith(names))


def backends_cpu(database: str) -> float:
    """CPU seconds of the PostgreSQL backends connected to `database`.

    The server is shared on this machine: counting every postgres process would charge the run
    with whatever else uses it. Backends that exit between two readings take their CPU along,
    which a connection pool's long-lived connections do not.
    """
    needle = f" {database} ".encode()
    return _matching(lambda comm, cmdline: comm == "postgres" and needle in cmdline)
