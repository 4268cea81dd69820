"""Benchmark: form posts → routed leads confirmed in their managers' RabbitMQ queues.

Starts `leadgate run` on a fresh PostgreSQL database with LEADGATE_AMQP_URL set and a team of
four managers, posts the forms, and stops the clock when the outbox relay has every routing
message confirmed by RabbitMQ (publisher confirms: the message is in the manager's durable
queue). The notifier consumer runs too, as in production. The ceiling, measured in the same run,
is aio-pika alone publishing the same number of equivalent persistent messages to a durable
queue with pipelined confirms, in batches the size the relay uses.
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


async def main() -> None:
    """Run both measurements and print them side by side."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--total", type=int, default=5000, help="form posts (default 5000)")
    parser.add_argument("-c", "--concurrency", type=int, default=64, help="in flight (default 64)")
    parser.add_argument("--workers", type=int, default=1, help="leadgate run --workers N")
    args = parser.parse_args()

    await clean_broker()
    dsn = await fresh_database("leadgate_bench_routing")
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        process = start_service(dsn, port, Path(workdir), CONFIG, args.workers,
                                LEADGATE_AMQP_URL=AMQP_URL)
        try:
            started = time.perf_counter()
            posting, _ = await post_forms(f"http://127.0.0.1:{port}/forms/bench", args.total,
                                          args.concurrency)
            await until_confirmed(dsn, args.total)
            end_to_end = time.perf_counter() - started
            conn = await asyncpg.connect(dsn)
            sample = await conn.fetchval("SELECT payload FROM outbox LIMIT 1")
            await conn.close()
        finally:
            process.terminate()
            process.wait(timeout=30)
    body = json.dumps(json.loads(sample), ensure_ascii=False, separators=(",", ":")).encode()
    raw = args.total / await ceiling(args.total, body)
    rate = args.total / end_to_end
    print(f"posts: {args.total} at concurrency {args.concurrency}, PostgreSQL + RabbitMQ, "
          f"{args.workers} worker process(es)")
    print(f"intake:      {args.total / posting:8.0f} leads/s accepted (201)")
    print(f"end to end:  {rate:8.0f} leads/s routed and confirmed in manager queues")
    print(f"ceiling:     {raw:8.0f} msgs/s (aio-pika alone, {len(body)}-byte persistent messages,"
          f" confirms pipelined {RELAY_BATCH} at a time)")
    print(f"ratio:       {rate / raw:8.2f}")


if __name__ == "__main__":
    asyncio.run(main())
