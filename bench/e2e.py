"""End to end: form posts routed and confirmed in manager queues, with CPU per lead per process.

Starts `leadgate run` on a fresh PostgreSQL database and a RabbitMQ vhost of its own, with a
team of three and a rule so that every lead is routed; drives it with wrk (a Lua script makes
every post a new person) closed-loop at concurrency 1, 16 and 64, and with a small asyncio
client open-loop at a fixed rate; then `leadgate run` on SQLite at concurrency 64. Beside each
figure: the same-run ceiling, the raw asyncpg dedup transaction (one per lead, 8 connections).
CPU milliseconds per lead are read from /proc for Leadgate, PostgreSQL and RabbitMQ (their
figures include whatever else uses those servers on this machine at the same time).
Usage: python bench/e2e.py [--seconds 10] [--rate 300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import asyncpg
from intake import BENCH_CONFIG, ceiling, free_port, fresh_database, start_service

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
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Figures:
    """One load's outcome."""

    load: str
    leads: int
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu_ms: dict[str, float]


def cpu_seconds(names: tuple[str, ...]) -> float:
    """User+system CPU seconds of every process whose command name starts with one of `names`."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1: stat.rindex(")")]
        if comm.startswith(names):
            fields = stat[stat.rindex(")") + 2:].split()
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


def process_cpu(pid: int) -> float:
    """User+system CPU seconds of one process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def snapshot(pid: int) -> dict[str, float]:
    """CPU seconds so far of Leadgate, PostgreSQL and RabbitMQ."""
    return {"leadgate": process_cpu(pid), "postgres": cpu_seconds(("postgres",)),
            "rabbitmq": cpu_seconds(("beam.smp", "erl_child"))}


async def confirmed(dsn: str) -> int:
    """Outbox rows RabbitMQ confirmed."""
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL"))
    finally:
        await conn.close()


async def drained(dsn: str, target: int, within: float = 120.0) -> None:
    """Wait until `target` outbox rows are confirmed."""
    deadline = time.monotonic() + within
    for _ in range(int(within / 0.05)):
        if await confirmed(dsn) >= target or time.monotonic() > deadline:
            return
        await asyncio.sleep(0.05)


def wrk(url: str, connections: int, seconds: int, offset: int, script: Path
        ) -> tuple[int, float, float, float]:
    """Requests answered 2xx, seconds, p50 and p99 ms of a closed-loop wrk run."""
    threads = min(connections, 2)
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s",
         str(script), url, "--", str(offset)], capture_output=True, text=True, check=True).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return (requests - (int(bad.group(1)) if bad else 0), float(seconds),
            _ms(out, "50%"), _ms(out, "99%"))


def _ms(out: str, percentile: str) -> float:
    found = re.search(rf"{re.escape(percentile)}\s+([\d.]+)(us|ms|s)", out)
    if not found:
        return float("nan")
    value, unit = float(found.group(1)), found.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


async def open_loop(url: str, rate: int, seconds: int, offset: int
                    ) -> tuple[int, float, float, float]:
    """Posts at a fixed rate; latency counted from each post's scheduled time."""
    latencies: list[float] = []
    loop = asyncio.get_running_loop()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:

        async def one(n: int, due: float) -> None:
            body = {"name": "Bench", "phone": f"+99893{offset + n:07d}"}
            async with http.post(url, json=body) as answer:
                await answer.read()
                if answer.status == 201:
                    latencies.append(loop.time() - due)

        started = loop.time()
        tasks = []
        for n in range(rate * seconds):
            due = started + n / rate
            await asyncio.sleep(max(0.0, due - loop.time()))
            tasks.append(asyncio.create_task(one(n, due)))
        await asyncio.gather(*tasks)
    cuts = statistics.quantiles(latencies, n=100)
    return len(latencies), float(seconds), cuts[49] * 1000, cuts[98] * 1000


def make_vhost() -> tuple[str, str]:
    """A RabbitMQ vhost for this run and its URL."""
    vhost = f"leadgate-bench-{uuid.uuid4().hex[:6]}"
    subprocess.run(["rabbitmqctl", "add_vhost", vhost], check=True, capture_output=True)
    subprocess.run(["rabbitmqctl", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
                   check=True, capture_output=True)
    return vhost, f"amqp://guest:guest@127.0.0.1:5672/{vhost}"


def drop_vhost(vhost: str) -> None:
    """Delete the run's vhost with its queues."""
    subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True)


async def measure(load: str, dsn: str, pid: int,
                  run: Awaitable[tuple[int, float, float, float]]) -> Figures:
    """Run one load and read the CPU each process spent on it, drain included."""
    before, count_before = snapshot(pid), await confirmed(dsn)
    leads, seconds, p50, p99 = await run
    await drained(dsn, count_before + leads)
    after = snapshot(pid)
    routed = await confirmed(dsn) - count_before
    cpu = {name: (after[name] - before[name]) * 1000 / max(routed, 1) for name in after}
    return Figures(load, routed, seconds, p50, p99, cpu)


async def main() -> None:
    """Run every load and print the table beside the ceiling."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rate", type=int, default=300)
    args = parser.parse_args()
    vhost, amqp = make_vhost()
    rows: list[Figures] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            workdir = Path(folder)
            script = workdir / "post.lua"
            script.write_text(WRK_SCRIPT)
            dsn = await fresh_database("leadgate_e2e")
            port = free_port()
            service = start_service(dsn, port, workdir, config=CONFIG, LEADGATE_AMQP_URL=amqp)
            url = f"http://127.0.0.1:{port}/forms/bench"
            try:
                for n, connections in enumerate((1, 16, 64)):
                    run = asyncio.to_thread(wrk, url, connections, args.seconds, n * 2_000_000,
                                            script)
                    rows.append(await measure(f"concurrency {connections}", dsn, service.pid,
                                              run))
                rows.append(await measure(f"open loop {args.rate}/s", dsn, service.pid,
                                          open_loop(url, args.rate, args.seconds, 0)))
            finally:
                service.terminate()
                service.wait(timeout=30)
            sqlite = sqlite_rate(workdir, script, args.seconds)
        raw = 5000 / await ceiling(await fresh_database("leadgate_e2e_ceiling"), 5000, 64)
    finally:
        drop_vhost(vhost)
    print(f"{'load':<22} {'leads/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ms CPU/lead: leadgate':>22}"
          f" {'postgres':>9} {'rabbitmq':>9}")
    for row in rows:
        print(f"{row.load:<22} {row.leads / row.seconds:>8.0f} {row.p50_ms:>8.1f} "
              f"{row.p99_ms:>8.1f} {row.cpu_ms['leadgate']:>22.2f} {row.cpu_ms['postgres']:>9.2f}"
              f" {row.cpu_ms['rabbitmq']:>9.2f}")
    print(f"{'SQLite, concurrency 64':<22} {sqlite:>8.0f}")
    print(f"ceiling: {raw:.0f} dedup transactions/s (asyncpg, one per lead, concurrency 64, "
          f"8 connections); concurrency 64 reaches {rows[2].leads / rows[2].seconds / raw:.2f}")


def sqlite_rate(workdir: Path, script: Path, seconds: int) -> float:
    """leads/s of `leadgate run` on SQLite (embedded queue) at concurrency 64."""
    port = free_port()
    url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    env = {**os.environ, "LEADGATE_DATABASE_URL": url, "LEADGATE_HTTP_PORT": str(port)}
    (workdir / "leadgate.toml").write_text(CONFIG)
    service = subprocess.Popen([sys.executable, "-m", "leadgate.cli", "--log-level", "WARNING",
                                "run"], cwd=workdir, env=env)
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        leads, took, _, _ = wrk(f"http://127.0.0.1:{port}/forms/bench", 64, seconds, 7_000_000,
                                script)
    finally:
        service.terminate()
        service.wait(timeout=30)
    return leads / took


if __name__ == "__main__":
    asyncio.run(main())
