"""The dead-letter queue `leadgate.dead`: list it, send messages back, or drop them.

A message lands there when a consumer rejects it (or its queue limit drops it). Listing takes
every message without acknowledging it and gives them all back at the end, so the queue is
unchanged. Requeueing publishes a message again to the `leadgate` exchange under the routing key
it first had (same message id, so idempotent consumers stay idempotent) before acknowledging
the dead copy; dropping acknowledges it.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue
from aio_pika.exceptions import QueueEmpty

from routing.amqp import DEAD_LETTER_QUEUE, connect, declare_topology

_MAX_MESSAGES = 100_000


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """One dead message: its id, where it was going, why it died, and its body."""

    message_id: str
    routing_key: str
    reason: str
    queue: str
    count: int
    payload: Any


def _describe(message: AbstractIncomingMessage, position: int) -> DeadLetter:
    deaths = (message.headers or {}).get("x-death")
    first = deaths[0] if isinstance(deaths, list) and deaths else None
    death: dict[str, Any] = dict(first) if isinstance(first, dict) else {}
    keys = death.get("routing-keys") or [message.routing_key or ""]
    try:
        payload: Any = json.loads(message.body)
    except ValueError:
        payload = message.body.decode("utf-8", "replace")[:2000]
    return DeadLetter(
        message_id=message.message_id or f"#{position}",
        routing_key=str(keys[0]),
        reason=str(death.get("reason", "")),
        queue=str(death.get("queue", "")),
        count=int(death.get("count", 1) or 1),
        payload=payload,
    )


async def _take_all(queue: AbstractQueue) -> list[AbstractIncomingMessage]:
    taken: list[AbstractIncomingMessage] = []
    while len(taken) < _MAX_MESSAGES:
        try:
            taken.append(await queue.get(no_ack=False))
        except QueueEmpty:
            break
    return taken


async def handle(
    url: str, action: str, ids: Collection[str] | None = None
) -> list[DeadLetter]:
    """`list` every dead message, or `requeue` / `drop` those in `ids` (None: all); which."""
    connection = await connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await declare_topology(channel)
        queue = await channel.declare_queue(DEAD_LETTER_QUEUE, durable=True)
        messages = await _take_all(queue)
        chosen: list[DeadLetter] = []
        for position, message in enumerate(messages, start=1):
            letter = _describe(message, position)
            if action == "list" or (ids is not None and letter.message_id not in ids):
                if action == "list":
                    chosen.append(letter)
                await message.nack(requeue=True)
                continue
            if action == "requeue":
                headers = {k: v for k, v in (message.headers or {}).items() if k != "x-death"}
                await exchange.publish(
                    aio_pika.Message(
                        message.body, message_id=message.message_id, headers=headers,
                        content_type=message.content_type,
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                    letter.routing_key,
                )
            await message.ack()
            chosen.append(letter)
    return chosen

