"""What `e2e.py` drives and reads: the config, wrk and its script, confirmed leads, loop lag."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from intake import BENCH_CONFIG

CONFIG = BENCH_CONFIG + """[teams.sales]
members = ["a", "b", "c"]
[managers.a]
capacity = 10000000
[managers.b]
capacity = 10000000
[managers.c]
capacity = 10000000
[[routing.rules]]
match = { channel = "webform" }
team = "sales"
"""
WRK_SCRIPT = """
local threads = 0
local counter = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  offset = tonumber(args[1]) + id * 1000000
end
request = function()
  counter = counter + 1
  local body = string.format('{"name": "Bench", "phone": "+99891%07d"}', offset + counter)
  return wrk.format("POST", "/forms/bench", {["Content-Type"] = "application/json"}, body)
end
"""
_CONFIRMED = "SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL"
_LAG = re.compile(rb'^leadgate_event_loop_lag_seconds_(?:bucket\{le="0\.01"\}|count) ([\d.e+]+)$',
                  re.MULTILINE)


@dataclass
class Figures:
    """One load's outcome; `lag_stalls` is None when the service does not measure loop lag."""

    load: str
    rate: float
    p50_ms: float
    p99_ms: float
    cpu_ms: dict[str, float]
    lag_stalls: float | None


async def confirmed(store: str) -> int:
    """Routing messages confirmed so far: `store` is an asyncpg DSN or a SQLite file."""
    if not store.startswith("postgresql://"):
        with sqlite3.connect(store) as conn:
            return int(conn.execute(_CONFIRMED).fetchone()[0])
    conn = await asyncpg.connect(store)
    try:
        return int(await conn.fetchval(_CONFIRMED))
    finally:
        await conn.close()


async def drained(store: str, target: int, within: float = 120.0) -> None:
    """Wait until `target` routing messages are confirmed (or `within` seconds passed)."""
    deadline = time.monotonic() + within
    for _ in range(int(within / 0.05)):
        if await confirmed(store) >= target or time.monotonic() > deadline:
            return
        await asyncio.sleep(0.05)


async def loop_lag(port: int) -> float | None:
    """Loop-lag samples over 10 ms so far, from /metrics; None if the service has no such metric."""
    def read() -> bytes:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
            return bytes(answer.read())

    found = [float(value) for value in _LAG.findall(await asyncio.to_thread(read))]
    return found[1] - found[0] if len(found) == 2 else None


def wrk(url: str, connections: int, seconds: int, offset: int, script: Path) -> dict[str, float]:
    """A closed-loop wrk run: posts answered 2xx, seconds, p50 and p99 ms."""
    out = subprocess.run(
        ["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{seconds}s", "--latency",
         "-s", str(script), url, "--", str(offset)],
        capture_output=True, text=True, check=True).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"answered": requests - (int(bad.group(1)) if bad else 0), "seconds": float(seconds),
            "p50_ms": _ms(out, "50%"), "p99_ms": _ms(out, "99%")}


def _ms(out: str, percentile: str) -> float:
    found = re.search(rf"{re.escape(percentile)}\s+([\d.]+)(us|ms|s)", out)
    if not found:
        return float("nan")
    value, unit = float(found.group(1)), found.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
