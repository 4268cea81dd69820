"""The same-run ceilings `e2e.py` prints beside its rows, with their CPU per unit from /proc.

PostgreSQL: the raw dedup-shaped transaction of `intake.py` through asyncpg alone (one per
lead, 8 connections) at concurrency 1, 16 and 64: its rate, this process's CPU (the client's
share) and the database's backends' CPU per transaction. RabbitMQ: aio-pika alone publishing
persistent messages with pipelined confirms, RabbitMQ's CPU per message.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import aio_pika
from cpu import backends_cpu, named_cpu
from intake import RUN, ceiling, drop_database, fresh_database

TRANSACTIONS = 2000
MESSAGES = 5000
_BATCH = 500
_BODY = b'{"lead_id": 1, "customer_id": 1, "manager_id": 1, "team": "sales"}'


@dataclass
class Ceilings:
    """One round's ceilings, by concurrency."""

    rate: dict[int, float] = field(default_factory=dict)
    client_ms: dict[int, float] = field(default_factory=dict)
    postgres_ms: dict[int, float] = field(default_factory=dict)
    rabbitmq_ms: float = 0.0


@contextmanager
def vhost() -> Iterator[str]:
    """A RabbitMQ vhost of this run, deleted with its queues afterwards; yields its URL."""
    name = f"leadgate-bench-{uuid.uuid4().hex[:6]}"
    subprocess.run(["rabbitmqctl", "add_vhost", name], check=True, capture_output=True)
    subprocess.run(["rabbitmqctl", "set_permissions", "-p", name, "guest", ".*", ".*", ".*"],
                   check=True, capture_output=True)
    try:
        yield f"amqp://guest:guest@127.0.0.1:5672/{name}"
    finally:
        subprocess.run(["rabbitmqctl", "delete_vhost", name], capture_output=True)


async def measure_ceilings() -> Ceilings:
    """Every ceiling once."""
    found = Ceilings()
    for concurrency in (1, 16, 64):
        (found.rate[concurrency], found.client_ms[concurrency],
         found.postgres_ms[concurrency]) = await _transactions(concurrency)
    with vhost() as url:
        found.rabbitmq_ms = await _publish(url)
    return found


async def _transactions(concurrency: int) -> tuple[float, float, float]:
    """Raw dedup transactions: per second, client and backends' CPU ms per transaction."""
    name = f"leadgate_e2e_ceiling{RUN}"
    dsn = await fresh_database(name)
    readings: list[float] = []
    cpu = time.process_time()
    seconds = await ceiling(dsn, TRANSACTIONS, concurrency, lambda: readings.extend(
        (time.process_time() - cpu, backends_cpu(name))))
    await drop_database(name)
    client, backends = readings
    return TRANSACTIONS / seconds, client * 1000 / TRANSACTIONS, backends * 1000 / TRANSACTIONS


async def _publish(url: str) -> float:
    """RabbitMQ CPU ms per persistent message published with pipelined confirms."""
    async with await aio_pika.connect(url) as connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue("leadgate.bench", durable=True)
        before = named_cpu(("beam.smp", "erl_child"))
        for first in range(0, MESSAGES, _BATCH):
            await asyncio.gather(*(
                channel.default_exchange.publish(aio_pika.Message(
                    _BODY, message_id=f"bench:{n}", content_type="application/json",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT), queue.name)
                for n in range(first, first + _BATCH)))
        return (named_cpu(("beam.smp", "erl_child")) - before) * 1000 / MESSAGES
