"""`leadgate dead list|requeue|drop` against this run's vhost on the real RabbitMQ."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import aio_pika

from routing.amqp import declare_manager_queue, declare_topology, manager_queue
from tests.support.rabbitmq import wait_for_messages


def dead(url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LEADGATE_AMQP_URL": url,
           "LEADGATE_DATABASE_URL": "sqlite+aiosqlite:///./t.db"}
    return subprocess.run([sys.executable, "-m", "leadgate.cli", "dead", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=60)


async def _kill_two_messages(url: str) -> None:
    """Two messages to manager 7, both rejected by the consumer: they dead-letter."""
    async with await aio_pika.connect(url) as connection:
        channel = await connection.channel()
        exchange = await declare_topology(channel)
        queue = await declare_manager_queue(channel, exchange, 7)
        for n in (1, 2):
            await exchange.publish(
                aio_pika.Message(json.dumps({"lead_id": n}).encode(),
                                 message_id=f"lead.assigned:{n}:1",
                                 delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                "lead.assigned.7")
        for _ in (1, 2):
            message = await queue.get(no_ack=False, timeout=10)
            await message.reject(requeue=False)


async def test_dead_letters_are_listed_requeued_and_dropped(amqp_url: str, tmp_path: Path) -> None:
    await _kill_two_messages(amqp_url)
    await _wait_for_dead_letters(amqp_url)
    listed = await _run(amqp_url, tmp_path, "list", "--json")
    listed_again = await _run(amqp_url, tmp_path, "list")
    requeued = await _run(amqp_url, tmp_path, "requeue", "lead.assigned:1:1")
    back = await wait_for_messages(manager_queue(7), 1)
    dropped = await _run(amqp_url, tmp_path, "drop", "--all")
    empty = await _run(amqp_url, tmp_path, "list")
    unknown = await _run(amqp_url, tmp_path, "drop", "nope")
    nothing = await _run(amqp_url, tmp_path, "requeue")

    letters = [json.loads(line) for line in listed.stdout.splitlines()]
    assert listed.returncode == 0, listed.stderr
    assert [(d["message_id"], d["routing_key"], d["reason"]) for d in letters] == [
        ("lead.assigned:1:1", "lead.assigned.7", "rejected"),
        ("lead.assigned:2:1", "lead.assigned.7", "rejected"),
    ]
    assert letters[0]["queue"] == manager_queue(7) and letters[0]["payload"] == {"lead_id": 1}
    assert listed_again.stdout.count("lead.assigned:") == 2
    assert requeued.returncode == 0 and "requeued 1 message" in requeued.stdout
    assert [m["message_id"] for m in back] == ["lead.assigned:1:1"]
    assert back[0]["payload"] == {"lead_id": 1}
    assert dropped.returncode == 0 and "dropped 1 message" in dropped.stdout
    assert empty.returncode == 0 and empty.stdout == ""
    assert unknown.returncode != 0 and "nope" in unknown.stderr
    assert nothing.returncode != 0 and "--all" in nothing.stderr


async def _wait_for_dead_letters(url: str) -> None:
    """Dead-lettering is asynchronous in the broker: wait until both copies arrived."""
    for _ in range(100):
        async with await aio_pika.connect(url) as connection:
            channel = await connection.channel()
            queue = await channel.declare_queue("leadgate.dead", durable=True)
            if queue.declaration_result.message_count >= 2:
                return
        await asyncio.sleep(0.1)


async def _run(url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(dead, url, *args, cwd=cwd)


def test_dead_without_a_broker_says_so(tmp_path: Path) -> None:
    result = dead("", "list", cwd=tmp_path)
    assert result.returncode != 0 and "LEADGATE_AMQP_URL" in result.stderr

