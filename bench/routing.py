"""Benchmark: form posts → routed leads confirmed in their managers' RabbitMQ queues.

Starts `leadgate run` on a fresh PostgreSQL database with LEADGATE_AMQP_URL set and a team of
four managers, posts the forms, and stops the clock when the outbox relay has every routing
message confirmed by RabbitMQ (publisher confirms: the message is in the manager's durable
queue). The notifier consumer runs too, as in production. It does so with one process and with
three (`--processes 1,3`: separate `leadgate run` processes on one database and one broker, the
posts spread over them, one relay elected among them), and once more with three whose manager
choice is not serialized per team (`--unlocked`), to show what that lock costs. The ceiling,
measured in the same run, is aio-pika alone publishing the same number of equivalent persistent
messages to a durable queue with pipelined confirms, in batches the size the relay uses.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path

import aio_pika
import asyncpg
from intake import BENCH_CONFIG, free_port, fresh_database, post_forms, start_service

AMQP_URL = os.environ.get("LEADGATE_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
CONFIG = BENCH_CONFIG + """[teams.sales]
members = ["a", "b", "c", "d"]
[managers.a]
capacity = 1000000
[managers.b]
capacity = 1000000
[managers.c]
capacity = 1000000
[managers.d]
capacity = 1000000
"""
RELAY_BATCH = 500
LEADGATE = ("-m", "leadgate.cli")
# The same service with the per-team lock of manager choice taken out (for comparison only).
UNLOCKED = ("-c", "import sys\n"
            "from crm_store.routing_store import SqlRoutingStore\n"
            "async def unlocked(self, team_ids): pass\n"
            "SqlRoutingStore.serialize_choice = unlocked\n"
            "from leadgate.cli import main\n"
            "sys.exit(main(sys.argv[1:]))")


async def clean_broker() -> None:
    """Remove Leadgate's queues so the run starts empty."""
    async with await aio_pika.connect(AMQP_URL) as connection:
        channel = await connection.channel()
        for name in ["leadgate.unassigned", *(f"leadgate.manager.{i}" for i in range(1, 5))]:
            await channel.queue_delete(name)


async def until_confirmed(dsn: str, total: int) -> None:
    """Wait until the outbox holds `total` messages, all confirmed by RabbitMQ."""
    conn = await asyncpg.connect(dsn)
    try:
        while True:
            sent = await conn.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL")
            if sent >= total:
                return
            await asyncio.sleep(0.01)
    finally:
        await conn.close()


async def ceiling(total: int, body: bytes) -> float:
    """Seconds for aio-pika alone to publish `total` persistent messages with confirms."""
    async with await aio_pika.connect(AMQP_URL) as connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(
            "leadgate.bench", aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue("leadgate.bench", durable=True)
        await queue.bind(exchange, "lead.assigned.*")
        started = time.perf_counter()
        for first in range(0, total, RELAY_BATCH):
            await asyncio.gather(*(
                exchange.publish(aio_pika.Message(
                    body, message_id=f"bench:{n}", content_type="application/json",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT), f"lead.assigned.{n % 4 + 1}")
                for n in range(first, min(first + RELAY_BATCH, total))
            ))
        elapsed = time.perf_counter() - started
        await queue.delete(if_unused=False, if_empty=False)
        await exchange.delete()
    return elapsed


async def routed(total: int, concurrency: int, processes: int,
                 command: tuple[str, ...] = LEADGATE) -> tuple[float, float, bytes]:
    """Leads/s accepted and routed end to end by `processes` processes; a sample message body."""
    await clean_broker()
    dsn = await fresh_database("leadgate_bench_routing")
    ports = [free_port() for _ in range(processes)]
    with tempfile.TemporaryDirectory() as workdir:
        # The first process creates the schema; the others start together once it serves.
        started = [start_service(dsn, ports[0], Path(workdir), CONFIG, command=command,
                                 LEADGATE_AMQP_URL=AMQP_URL)]
        started += await asyncio.gather(*(asyncio.to_thread(
            start_service, dsn, port, Path(workdir), CONFIG, command=command,
            LEADGATE_AMQP_URL=AMQP_URL) for port in ports[1:]))
        try:
            began = time.perf_counter()
            posting, _ = await post_forms(
                [f"http://127.0.0.1:{port}/forms/bench" for port in ports], total, concurrency)
            await until_confirmed(dsn, total)
            end_to_end = time.perf_counter() - began
            conn = await asyncpg.connect(dsn)
            sample = await conn.fetchval("SELECT payload FROM outbox LIMIT 1")
            await conn.close()
        finally:
            for process in started:
                process.terminate()
            for process in started:
                process.wait(timeout=30)
    body = json.dumps(json.loads(sample), ensure_ascii=False, separators=(",", ":")).encode()
    return total / posting, total / end_to_end, body


async def main() -> None:
    """Run the measurements and print them beside the ceiling."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--total", type=int, default=5000, help="form posts (default 5000)")
    parser.add_argument("-c", "--concurrency", type=int, default=64, help="in flight (default 64)")
    parser.add_argument("--processes", default="1,3",
                        help="process counts to measure, comma-separated (default 1,3)")
    parser.add_argument("--unlocked", action="store_true",
                        help="also measure the largest count without the per-team choice lock")
    args = parser.parse_args()

    runs = [(int(n), LEADGATE, "") for n in args.processes.split(",")]
    if args.unlocked:
        runs.append((runs[-1][0], UNLOCKED, ", choice not serialized"))
    results = []
    for processes, command, note in runs:
        accepted, rate, body = await routed(args.total, args.concurrency, processes, command)
        results.append((processes, note, accepted, rate))
    raw = args.total / await ceiling(args.total, body)
    print(f"posts: {args.total} at concurrency {args.concurrency}, PostgreSQL + RabbitMQ")
    for processes, note, accepted, rate in results:
        print(f"{processes} process(es){note}: {accepted:6.0f} leads/s accepted (201), "
              f"{rate:6.0f} leads/s routed and confirmed in manager queues, "
              f"ratio {rate / raw:.2f}")
    print(f"ceiling:     {raw:8.0f} msgs/s (aio-pika alone, {len(body)}-byte persistent messages,"
          f" confirms pipelined {RELAY_BATCH} at a time)")


if __name__ == "__main__":
    asyncio.run(main())
