"""Statements and round trips per lead, counted on the wire between Leadgate and PostgreSQL.

The server may not have pg_stat_statements loaded (it needs a restart), so this benchmark puts
a counting proxy between `leadgate run` and PostgreSQL: every Execute (and simple Query) is a
statement, every Sync or simple Query a round trip. It starts the service as `bench/e2e.py`
does (a team of three and a rule: every lead routed and confirmed in a manager queue), on a
fresh database seeded with `--customers` existing customers (each with an identity, a lead and
a touch), posts new people with wrk for `--seconds` at `--concurrency`, waits for the outbox
to drain and prints per lead: statements, round trips, transactions, CPU ms of Leadgate and
PostgreSQL, sequential scans, and the statements by text, most executed first.
Usage: python bench/statements.py [--seconds 10] [--concurrency 64] [--customers 0] [--tree DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import struct
import tempfile
import time
from collections import Counter
from pathlib import Path

import asyncpg
from ceilings import vhost
from cpu import backends_cpu, process_cpu
from e2e_load import CONFIG, WRK_SCRIPT, confirmed, drained, wrk
from intake import RUN, drop_database, free_port, fresh_database, start_service

_SSL_OR_GSS = {80877103, 80877104}
_DATABASE = f"leadgate_statements{RUN}"


class Tally:
    """What the proxy saw, over every connection."""

    def __init__(self) -> None:
        self.statements: Counter[str] = Counter()
        self.round_trips = 0

    def total(self) -> int:
        """Statements executed."""
        return sum(self.statements.values())


class _Frontend:
    """Parses one connection's client→server messages and counts what it executes."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.buffer = b""
        self.started = False
        self.prepared: dict[bytes, str] = {}
        self.portals: dict[bytes, str] = {}

    def feed(self, data: bytes) -> None:
        self.buffer += data
        while True:
            if not self.started:
                if len(self.buffer) < 8:
                    return
                (length,) = struct.unpack("!i", self.buffer[:4])
                if len(self.buffer) < length:
                    return
                (code,) = struct.unpack("!i", self.buffer[4:8])
                self.started = code not in _SSL_OR_GSS
                self.buffer = self.buffer[length:]
                continue
            if len(self.buffer) < 5:
                return
            kind = self.buffer[:1]
            (length,) = struct.unpack("!i", self.buffer[1:5])
            if len(self.buffer) < 1 + length:
                return
            self._message(kind, self.buffer[5:1 + length])
            self.buffer = self.buffer[1 + length:]

    def _message(self, kind: bytes, body: bytes) -> None:
        if kind == b"Q":
            self.tally.statements[_shape(body.split(b"\0", 1)[0])] += 1
            self.tally.round_trips += 1
        elif kind == b"P":
            name, rest = body.split(b"\0", 1)
            self.prepared[name] = _shape(rest.split(b"\0", 1)[0])
        elif kind == b"B":
            portal, rest = body.split(b"\0", 1)
            self.portals[portal] = self.prepared.get(rest.split(b"\0", 1)[0], "?")
        elif kind == b"E":
            self.tally.statements[self.portals.get(body.split(b"\0", 1)[0], "?")] += 1
        elif kind == b"S":
            self.tally.round_trips += 1


def _shape(query: bytes) -> str:
    return " ".join(query.decode(errors="replace").split())[:90]


async def proxy(tally: Tally, port: int) -> asyncio.Server:
    """A TCP proxy on `port` to PostgreSQL on 5432 that counts into `tally`."""

    async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                   frontend: _Frontend | None) -> None:
        try:
            while data := await reader.read(65536):
                if frontend is not None:
                    frontend.feed(data)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", 5432)
        await asyncio.gather(pump(reader, up_writer, _Frontend(tally)),
                             pump(up_reader, writer, None))

    return await asyncio.start_server(serve, "127.0.0.1", port)


async def seed(dsn: str, customers: int) -> None:
    """`customers` existing people, each with a phone, a closed lead and a touch."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"""
            INSERT INTO customers (created_at, name)
              SELECT now() - interval '60 days', 'Seed ' || n
              FROM generate_series(1, {customers}) n;
            INSERT INTO identities (customer_id, kind, value, info, created_at)
              SELECT id, 'phone', '+99897' || lpad(id::text, 7, '0'), '{{}}', created_at
              FROM customers;
            INSERT INTO leads (customer_id, status, channel, attribution, created_at,
                               last_touch_at)
              SELECT id, 'lost', 'webform', '{{}}', created_at, created_at FROM customers;
            INSERT INTO touches (customer_id, lead_id, channel, external_id, direction,
                                 occurred_at, created_at, attribution, details, identities)
              SELECT customer_id, id, 'webform', 'seed:' || id, 'inbound', created_at, created_at,
                     '{{}}', '{{}}', '[]' FROM leads;
        """)
    finally:
        await conn.close()


async def main() -> None:
    """Run the load through the counting proxy and print the figures per lead."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--customers", type=int, default=0)
    parser.add_argument("--analyze", action="store_true", help="ANALYZE after seeding")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--tree", type=os.path.abspath,
                        help="a source tree to run leadgate from (PYTHONPATH)")
    args = parser.parse_args()
    tally, port = Tally(), free_port()
    server = await proxy(tally, port)
    try:
        with vhost() as amqp, tempfile.TemporaryDirectory() as folder:
            workdir = Path(folder)
            script = workdir / "post.lua"
            script.write_text(WRK_SCRIPT)
            dsn = await fresh_database(_DATABASE)
            proxied = dsn.replace(":5432/", f":{port}/")
            http_port = free_port()
            # In a thread: the proxy serves on this loop while the service starts.
            path = {"PYTHONPATH": args.tree} if args.tree else {}
            service = await asyncio.to_thread(start_service, proxied, http_port, workdir,
                                              config=CONFIG, LEADGATE_AMQP_URL=amqp, **path)
            try:
                if args.customers:
                    await seed(dsn, args.customers)
                    if args.analyze:
                        conn = await asyncpg.connect(dsn)
                        await conn.execute("ANALYZE")
                        await conn.close()
                url = f"http://127.0.0.1:{http_port}/forms/bench"
                await asyncio.sleep(1.0)
                tally.statements.clear()
                tally.round_trips = 0
                scans_before = await seq_scans(dsn)
                before, count_before = _cpu(service.pid), await confirmed(dsn)
                started = time.monotonic()
                load = await asyncio.to_thread(wrk, url, args.concurrency, args.seconds, 0, script)
                took = time.monotonic() - started
                await drained(dsn, count_before + int(load["answered"]))
                after = _cpu(service.pid)
                routed = await confirmed(dsn) - count_before
                scans_after = await seq_scans(dsn)
            finally:
                service.terminate()
                await asyncio.to_thread(service.wait, 30)
                await drop_database(_DATABASE)
    finally:
        server.close()
    per = max(routed, 1)
    print(f"{routed} leads routed and confirmed at concurrency {args.concurrency} "
          f"({args.customers} customers before; {routed / took:.0f} leads/s; p50 "
          f"{load['p50_ms']:.1f} ms, p99 {load['p99_ms']:.1f} ms)")
    print(f"per lead: {tally.total() / per:.2f} statements, {tally.round_trips / per:.2f} round "
          f"trips, {_transactions(tally) / per:.3f} transactions; CPU ms: leadgate "
          f"{(after['leadgate'] - before['leadgate']) * 1000 / per:.2f}, postgres "
          f"{(after['postgres'] - before['postgres']) * 1000 / per:.2f}")
    for table, (scans, rows) in sorted(scans_after.items()):
        was = scans_before.get(table, (0, 0))
        if scans - was[0]:
            print(f"sequential scans of {table}: {scans - was[0]} reading {rows - was[1]} rows")
    for text, count in tally.statements.most_common(args.top):
        print(f"{count / per:8.3f}  {text}")


def _cpu(pid: int) -> dict[str, float]:
    return {"leadgate": process_cpu(pid), "postgres": backends_cpu(_DATABASE)}


async def seq_scans(dsn: str) -> dict[str, tuple[int, int]]:
    """Sequential scans so far and rows they read, per table."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT relname, seq_scan, seq_tup_read FROM pg_stat_user_tables")
    finally:
        await conn.close()
    return {row["relname"]: (row["seq_scan"], row["seq_tup_read"]) for row in rows}


def _transactions(tally: Tally) -> int:
    return sum(n for text, n in tally.statements.items() if text.upper().startswith("BEGIN"))


if __name__ == "__main__":
    asyncio.run(main())
