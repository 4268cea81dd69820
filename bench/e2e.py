"""End to end: form posts routed and confirmed in manager queues, with CPU per lead per process.

Starts `leadgate run` on a fresh PostgreSQL database and a RabbitMQ vhost of its own, with a
team of three and a rule so that every lead is routed; drives it with wrk (a Lua script makes
every post a new person) closed-loop at concurrency 1, 16 and 64, and with `open_loop.py` (raw
sockets, its own process) open-loop at a fixed rate; then `leadgate run` on SQLite at
concurrency 64. Every post of a run is a distinct person; a lead counts once its routing
message is confirmed (PostgreSQL: RabbitMQ's publisher confirm; SQLite: the embedded queue).
Each service is warmed up first (`--warm-up` seconds at concurrency 16, drained, not
counted): the first leads load phonenumbers' tables and compile statements, one-off costs that
would otherwise land on the concurrency-1 row. CPU milliseconds per lead are read from /proc:
Leadgate's process, the PostgreSQL backends of the run's database (the server is shared),
RabbitMQ's whole node (so is it). `lag>10ms` counts the event-loop lag samples over 10 ms
(`leadgate_event_loop_lag_seconds`, when the service has it). Beside each row, the same
round's ceilings (`ceilings.py`).
`--tree DIR` (repeatable) measures source trees side by side, interleaved round by round, each
figure the median of `--rounds`.
Usage: python bench/e2e.py [--seconds 10] [--rate 300] [--rounds 1] [--warm-up 2] [--tree DIR ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from ceilings import Ceilings, measure_ceilings, vhost
from cpu import backends_cpu, named_cpu, process_cpu
from e2e_load import CONFIG, WRK_SCRIPT, Figures, confirmed, drained, loop_lag, wrk
from intake import RUN, drop_database, free_port, fresh_database, start_service

DATABASE = f"leadgate_e2e{RUN}"
OPEN_LOOP = Path(__file__).with_name("open_loop.py")


class Service:
    """A running `leadgate run` and where to read what it did."""

    def __init__(self, pid: int, port: int, store: str, database: str | None) -> None:
        self.pid, self.port, self.store, self.database = pid, port, store, database
        self.url = f"http://127.0.0.1:{port}/forms/bench"

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far of Leadgate, its PostgreSQL backends and RabbitMQ."""
        return {"leadgate": process_cpu(self.pid),
                "postgres": backends_cpu(self.database) if self.database else 0.0,
                "rabbitmq": named_cpu(("beam.smp", "erl_child"))}


async def measure(load: str, service: Service, run: asyncio.Future[dict[str, float]]
                  ) -> Figures:
    """Run one load and read the CPU each process spent on it, drain included."""
    lag_before = await loop_lag(service.port)
    count_before = await confirmed(service.store)
    before = service.cpu()
    done = await run
    await drained(service.store, count_before + int(done["answered"]))
    after = service.cpu()
    lag_after = await loop_lag(service.port)
    routed = await confirmed(service.store) - count_before
    cpu = {name: (after[name] - before[name]) * 1000 / max(routed, 1) for name in after}
    stalls = None if lag_before is None or lag_after is None else lag_after - lag_before
    return Figures(load, routed / done["seconds"], done["p50_ms"], done["p99_ms"], cpu, stalls)


async def warm_up(service: Service, seconds: int, script: Path) -> None:
    """Posts nobody counts, until their leads are confirmed: one-off start-up costs land here."""
    if seconds <= 0:
        return
    before = await confirmed(service.store)
    # wrk's second thread numbers from offset + 1,000,000: both stay seven digits (a valid
    # number) only below 9,000,000.
    done = await closed(service, 16, seconds, 8_000_000, script)
    await drained(service.store, before + int(done["answered"]))


def closed(service: Service, connections: int, seconds: int, offset: int, script: Path
           ) -> asyncio.Future[dict[str, float]]:
    """wrk at `connections` in flight, in a thread."""
    return asyncio.ensure_future(
        asyncio.to_thread(wrk, service.url, connections, seconds, offset, script))


async def opened(service: Service, rate: int, seconds: int, offset: int) -> dict[str, float]:
    """The open-loop sender, in a process of its own."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, str(OPEN_LOOP), service.url, str(rate), str(seconds), str(offset),
        stdout=asyncio.subprocess.PIPE)
    out, _ = await child.communicate()
    if child.returncode != 0:
        raise SystemExit(f"the open-loop sender failed (exit {child.returncode})")
    figures: dict[str, float] = json.loads(out)
    return figures


async def one_tree(tree: str | None, args: argparse.Namespace, workdir: Path, amqp: str
                   ) -> list[Figures]:
    """Every load against `leadgate run` from `tree` (None: the installed one).

    Each service has a fresh database, so the phone numbers only need to differ within one.
    """
    path = tree or os.environ.get("PYTHONPATH", "")
    script = workdir / "post.lua"
    script.write_text(WRK_SCRIPT)
    rows: list[Figures] = []
    dsn = await fresh_database(DATABASE)
    port = free_port()
    process = start_service(dsn, port, workdir, config=CONFIG, LEADGATE_AMQP_URL=amqp,
                            PYTHONPATH=path)
    service = Service(process.pid, port, dsn, DATABASE)
    try:
        await warm_up(service, args.warm_up, script)
        for n, connections in enumerate((1, 16, 64)):
            rows.append(await measure(f"concurrency {connections}", service, closed(
                service, connections, args.seconds, n * 2_000_000, script)))
        rows.append(await measure(f"open loop {args.rate}/s", service, asyncio.ensure_future(
            opened(service, args.rate, args.seconds, 0))))
    finally:
        process.terminate()
        process.wait(timeout=30)
        await drop_database(DATABASE)
    sqlite = workdir / "bench.db"
    port = free_port()
    process = start_service(f"sqlite+aiosqlite:///{sqlite}", port, workdir, config=CONFIG,
                            PYTHONPATH=path)
    service = Service(process.pid, port, str(sqlite), None)
    try:
        await warm_up(service, args.warm_up, script)
        rows.append(await measure("SQLite, concurrency 64", service, closed(
            service, 64, args.seconds, 7_000_000, script)))
    finally:
        process.terminate()
        process.wait(timeout=30)
        sqlite.unlink(missing_ok=True)
    return rows


def print_table(name: str, rounds: list[list[Figures]], ceilings: list[Ceilings]) -> None:
    """Medians over rounds, each row beside the ceiling of its concurrency."""
    print(f"\n{name}: medians of {len(rounds)} round(s)")
    print(f"{'load':<23}{'leads/s':>8}{'ceil':>6}{'p50 ms':>8}{'p99 ms':>8}"
          f"{'lag>10ms':>9}{'ms CPU/lead: leadgate':>22}{'ceil':>6}{'postgres':>9}{'ceil':>6}"
          f"{'rabbitmq':>9}{'ceil':>6}")
    for i, load in enumerate(f.load for f in rounds[0]):
        rows = [r[i] for r in rounds]
        conc = 64 if "SQLite" in load or "open" in load else int(load.split()[-1])
        ceil = {k: statistics.median(getattr(c, k)[conc] for c in ceilings)
                for k in ("rate", "client_ms", "postgres_ms")}
        rabbit = statistics.median(c.rabbitmq_ms for c in ceilings)
        med = {k: statistics.median(getattr(r, k) for r in rows)
               for k in ("rate", "p50_ms", "p99_ms")}
        cpu = {k: statistics.median(r.cpu_ms[k] for r in rows) for k in rows[0].cpu_ms}
        lags = [r.lag_stalls for r in rows if r.lag_stalls is not None]
        lag = f"{statistics.median(lags):.0f}" if lags else "-"
        postgres = "-" if "SQLite" in load else f"{cpu['postgres']:.2f}"
        print(f"{load:<23}{med['rate']:>8.0f}{ceil['rate']:>6.0f}{med['p50_ms']:>8.1f}"
              f"{med['p99_ms']:>8.1f}{lag:>9}{cpu['leadgate']:>22.2f}{ceil['client_ms']:>6.2f}"
              f"{postgres:>9}{ceil['postgres_ms']:>6.2f}{cpu['rabbitmq']:>9.2f}"
              f"{rabbit:>6.2f}")


async def main() -> None:
    """Run every load for every tree, round by round, and print the tables beside the ceilings."""
    args = _arguments()
    trees: list[str | None] = list(args.tree) or [None]
    results: dict[str | None, list[list[Figures]]] = {tree: [] for tree in trees}
    ceilings: list[Ceilings] = []
    for _ in range(args.rounds):
        for tree in trees:
            with tempfile.TemporaryDirectory() as folder, vhost() as amqp:
                results[tree].append(await one_tree(tree, args, Path(folder), amqp))
        ceilings.append(await measure_ceilings())
    for tree, rounds in results.items():
        print_table(tree or os.getcwd(), rounds, ceilings)
    print("\nceil: raw asyncpg dedup transactions (one per lead, 8 connections) at the row's "
          "concurrency: their rate, the client's and the backends' CPU per transaction; "
          "aio-pika's pipelined-confirm publishes: RabbitMQ CPU per message")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rate", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--warm-up", type=int, default=2,
                        help="seconds of uncounted posts before the first row (0: none)")
    parser.add_argument("--tree", action="append", default=[], type=os.path.abspath,
                        help="a source tree to run leadgate from (PYTHONPATH); repeatable")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main())
