"""The machine's real RabbitMQ for tests: a vhost of this run's own, clean topology, reading queues.

The broker is shared with other test runs on the machine: this run declares everything in a
vhost of its own (created at the start, deleted at the end) and never stops or purges anything
outside it. Outages are made with a TCP proxy in front of the broker (`broker_outage`).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

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
from tests.support.tcp_proxy import TcpProxy, tcp_proxy

BROKER_URL = os.environ.get("LEADGATE_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672/")
VHOST = f"leadgate-test-{os.getpid()}-{uuid.uuid4().hex[:6]}"
_BROKER = urlsplit(BROKER_URL)
AMQP_URL = urlunsplit(_BROKER._replace(path="/" + quote(VHOST, safe="")))
"""This test run's vhost on the machine's broker (exists while the `amqp_vhost` fixture lives)."""
_MANAGER_IDS = range(1, 60)


def create_vhost() -> None:
    """Create this run's vhost and let the test user use it; fail loudly if RabbitMQ is down."""
    user = _BROKER.username or "guest"
    try:
        rabbitmqctl("add_vhost", VHOST)
        rabbitmqctl("set_permissions", "-p", VHOST, user, ".*", ".*", ".*")
    except (OSError, subprocess.SubprocessError) as err:
        pytest.fail(f"RabbitMQ is required for these tests and could not make a vhost: {err!r}")


def delete_vhost() -> None:
    """Delete this run's vhost with everything in it."""
    rabbitmqctl("delete_vhost", VHOST)


def url_through(port: int) -> str:
    """This run's vhost reached through a local port (a proxy in front of the broker)."""
    return urlunsplit(_BROKER._replace(netloc=f"{_BROKER.username or 'guest'}:"
                                       f"{_BROKER.password or 'guest'}@127.0.0.1:{port}",
                                       path="/" + quote(VHOST, safe="")))


async def reset_topology(url: str = AMQP_URL) -> None:
    """Delete every queue and exchange Leadgate declares in this run's vhost."""
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
async def broker_proxy() -> AsyncIterator[TcpProxy]:
    """A TCP proxy in front of the machine's broker; `url_through(proxy.port)` reaches our vhost."""
    async with tcp_proxy(_BROKER.hostname or "127.0.0.1", _BROKER.port or 5672) as proxy:
        yield proxy
