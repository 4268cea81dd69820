"""The machine's real RabbitMQ for tests: a clean topology, reading queues, stopping the broker."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aio_pika
import pytest
from aio_pika.exceptions import AMQPError, ChannelClosed, QueueEmpty

from routing.amqp import (
    DEAD_LETTER_EXCHANGE,
    DEAD_LETTER_QUEUE,
    EXCHANGE,
    UNASSIGNED_QUEUE,
    manager_queue,
)

AMQP_URL = os.environ.get("LEADGATE_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672/")
_MANAGER_IDS = range(1, 60)


async def reset_topology(url: str = AMQP_URL) -> None:
    """Delete every queue and exchange Leadgate declares; fail loudly if RabbitMQ is down."""
    try:
        connection = await aio_pika.connect(url, timeout=10)
    except (AMQPError, OSError, TimeoutError) as err:
        pytest.fail(f"RabbitMQ is required for these tests and is not reachable: {err!r}")
    async with connection:
        channel = await connection.channel()
        names = [UNASSIGNED_QUEUE, DEAD_LETTER_QUEUE, *(manager_queue(i) for i in _MANAGER_IDS)]
        for name in names:
            await channel.queue_delete(name)
        for exchange in (EXCHANGE, DEAD_LETTER_EXCHANGE):
            await channel.exchange_delete(exchange)


async def read_queue(queue: str, url: str = AMQP_URL) -> list[dict[str, Any]]:
    """Take every message now in `queue` (acknowledged): message_id, routing_key, payload."""
    taken: list[dict[str, Any]] = []
    async with await aio_pika.connect(url, timeout=10) as connection:
        channel = await connection.channel()
        try:
            declared = await channel.declare_queue(queue, passive=True)
        except ChannelClosed:
            return taken
        while True:
            try:
                message = await declared.get(no_ack=True)
            except QueueEmpty:
                return taken
            try:
                payload = json.loads(message.body)
            except ValueError:
                payload = None  # a poison message, kept as such
            taken.append({"message_id": message.message_id, "routing_key": message.routing_key,
                          "payload": payload})


async def wait_for_messages(queue: str, count: int, within: float = 30.0) -> list[dict[str, Any]]:
    """Read `queue` until `count` messages have arrived (fails after `within` seconds)."""
    taken: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while len(taken) < count:
        taken += await read_queue(queue)
        if loop.time() > deadline:
            pytest.fail(f"{queue}: {len(taken)} of {count} messages arrived")
        await asyncio.sleep(0.1)
    return taken


def rabbitmqctl(*args: str) -> None:
    """Run rabbitmqctl on this machine's broker."""
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


@asynccontextmanager
async def broker_stopped() -> AsyncIterator[None]:
    """RabbitMQ's application stopped for the block (the node stays up), started again after."""
    await asyncio.to_thread(rabbitmqctl, "stop_app")
    try:
        yield
    finally:
        await asyncio.to_thread(rabbitmqctl, "start_app")
        await asyncio.to_thread(rabbitmqctl, "await_startup")
