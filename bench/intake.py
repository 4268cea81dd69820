"""Benchmark: form posts → committed leads, beside the raw asyncpg ceiling of the same run.

By default it starts `leadgate run` on a fresh PostgreSQL database and a free port; `--url`
points it at a service already running instead (its database is left alone). The ceiling is
the same number of equivalent single-transaction inserts (look up the identity, insert
customer, identity, lead and touch) done directly with asyncpg, at the same concurrency, on
the same PostgreSQL server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

import aiohttp
import asyncpg

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
CEILING_SCHEMA = """
DROP TABLE IF EXISTS ceiling_touches, ceiling_leads, ceiling_identities, ceiling_customers;
CREATE TABLE ceiling_customers (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL,
  name text);
CREATE TABLE ceiling_identities (id bigserial PRIMARY KEY, customer_id bigint NOT NULL,
  kind text NOT NULL, value text NOT NULL, UNIQUE (kind, value));
CREATE TABLE ceiling_leads (id bigserial PRIMARY KEY, customer_id bigint NOT NULL,
  status text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE ceiling_touches (id bigserial PRIMARY KEY, customer_id bigint NOT NULL,
  lead_id bigint, channel text NOT NULL, external_id text NOT NULL, payload jsonb,
  UNIQUE (channel, external_id));
"""


def phone(n: int) -> str:
    """A distinct valid Uzbek mobile number per submission."""
    return f"+99890{n % 10_000_000:07d}"


async def post_forms(url: str | list[str], total: int, concurrency: int
                     ) -> tuple[float, list[float]]:
    """Post `total` submissions with `concurrency` in flight; return seconds and latencies.

    Given several URLs (one per process), submission n goes to URL n modulo their number.
    """
    urls = [url] if isinstance(url, str) else url
    latencies: list[float] = []
    queue = iter(range(total))
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            for n in queue:
                body = {"name": f"Bench {n}", "phone": phone(n), "message": "bench"}
                started = time.perf_counter()
                async with session.post(urls[n % len(urls)], json=body) as response:
                    await response.read()
                    if response.status != 201:
                        raise SystemExit(f"post {n} answered {response.status}")
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*[worker() for _ in range(concurrency)])
    return time.perf_counter() - started, latencies


async def ceiling(dsn: str, total: int, concurrency: int,
                  at_end: Callable[[], object] = lambda: None) -> float:
    """Seconds for `total` dedup-shaped transactions straight through asyncpg.

    `at_end` is called once they are done, before the connections close (and their backends
    exit, taking their CPU figures along).
    """
    pool = await asyncpg.create_pool(dsn, min_size=8, max_size=8)
    assert pool is not None
    async with pool.acquire() as conn:
        await conn.execute(CEILING_SCHEMA)
    queue = iter(range(total))

    async def worker() -> None:
        for n in queue:
            async with pool.acquire() as conn, conn.transaction():
                value = phone(n)
                found = await conn.fetchval(
                    "SELECT customer_id FROM ceiling_identities WHERE kind='phone' AND value=$1",
                    value,
                )
                customer = found or await conn.fetchval(
                    "INSERT INTO ceiling_customers (created_at, name)"
                    " VALUES (now(), $1) RETURNING id",
                    f"Bench {n}",
                )
                if found is None:
                    await conn.execute(
                        "INSERT INTO ceiling_identities (customer_id, kind, value)"
                        " VALUES ($1, 'phone', $2)",
                        customer,
                        value,
                    )
                lead = await conn.fetchval(
                    "INSERT INTO ceiling_leads (customer_id, status, created_at)"
                    " VALUES ($1, 'new', now()) RETURNING id",
                    customer,
                )
                await conn.execute(
                    "INSERT INTO ceiling_touches"
                    " (customer_id, lead_id, channel, external_id, payload)"
                    " VALUES ($1, $2, 'webform', $3, '{\"message\": \"bench\"}')",
                    customer,
                    lead,
                    f"bench:{n}",
                )

    started = time.perf_counter()
    await asyncio.gather(*[worker() for _ in range(concurrency)])
    elapsed = time.perf_counter() - started
    at_end()
    await pool.close()
    return elapsed


def free_port() -> int:
    """A free loopback TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


RUN = f"_{os.getpid()}"
"""A suffix that keeps this run's databases apart from those of a benchmark run beside it."""


async def fresh_database(name: str) -> str:
    """Drop and create the benchmark database; return its asyncpg DSN."""
    admin = await asyncpg.connect(ADMIN_DSN)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"


async def drop_database(name: str) -> None:
    """Drop a benchmark database once it is no longer needed."""
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


BENCH_CONFIG = (
    'default_region = "UZ"\n[webforms]\nrate_limit_per_minute = 0\n[forms.bench]\nname = "Bench"\n'
)


def start_service(
    dsn: str, port: int, workdir: Path, config: str = BENCH_CONFIG, workers: int = 1,
    command: Sequence[str] = ("-m", "leadgate.cli"), log_level: str = "WARNING",
    **env_extra: str,
) -> subprocess.Popen[bytes]:
    """`leadgate run --workers N` on `dsn` and `port` with `config`; waits until all listen.

    `command` is what follows the Python interpreter (a benchmark may start a variant).
    """
    (workdir / "leadgate.toml").write_text(config)
    env = os.environ | env_extra | {
        "LEADGATE_DATABASE_URL": dsn.replace("postgresql://", "postgresql+asyncpg://"),
        "LEADGATE_HTTP_PORT": str(port),
    }
    process = subprocess.Popen(
        [sys.executable, *command, "--log-level", log_level, "run",
         "--workers", str(workers)],
        cwd=workdir,
        env=env,
    )
    serving: set[int] = set()
    for _ in range(600):
        try:
            # A new connection each time: the kernel spreads them over every listening worker.
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
                serving.add(json.loads(answer.read())["pid"])
        except OSError:
            pass
        if len(serving) >= workers:
            return process
        time.sleep(0.1)
    process.kill()
    raise SystemExit("leadgate run did not start listening")


async def main() -> None:
    """Run both measurements and print them side by side."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--total", type=int, default=5000, help="form posts (default 5000)")
    parser.add_argument("-c", "--concurrency", type=int, default=64, help="in flight (default 64)")
    parser.add_argument("--url", help="form URL of a running service (default: start one)")
    parser.add_argument("--workers", type=int, default=1, help="leadgate run --workers N")
    parser.add_argument(
        "--database", default=f"leadgate_bench{RUN}",
        help="database the started service uses (recreated)",
    )
    args = parser.parse_args()

    process = None
    url = args.url
    with tempfile.TemporaryDirectory() as workdir:
        if url is None:
            dsn = await fresh_database(args.database)
            port = free_port()
            process = start_service(dsn, port, Path(workdir), workers=args.workers)
            url = f"http://127.0.0.1:{port}/forms/bench"
        try:
            seconds, latencies = await post_forms(url, args.total, args.concurrency)
        finally:
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
                await drop_database(args.database)
    ceiling_dsn = await fresh_database(f"{args.database}_ceiling")
    try:
        ceiling_seconds = await ceiling(ceiling_dsn, args.total, args.concurrency)
    finally:
        await drop_database(f"{args.database}_ceiling")

    rate, raw = args.total / seconds, args.total / ceiling_seconds
    quantiles = statistics.quantiles(latencies, n=100)
    where = args.url or "a fresh PostgreSQL database"
    print(f"posts: {args.total} at concurrency {args.concurrency} to {where}, "
          f"{args.workers} worker process(es)")
    p50, p99 = quantiles[49] * 1000, quantiles[98] * 1000
    print(f"leadgate: {rate:8.0f} leads/s  p50 {p50:.1f} ms  p99 {p99:.1f} ms")
    print(f"ceiling:  {raw:8.0f} inserts/s (asyncpg, one transaction per lead, 8 connections)")
    print(f"ratio:    {rate / raw:8.2f}")


if __name__ == "__main__":
    asyncio.run(main())
