"""Consumers are idempotent on message_id: redelivery never notifies twice; poison is parked."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import pytest

from routing.amqp import DEAD_LETTER_QUEUE, manager_queue
from routing.inbox import AmqpConsumer, Inbox
from routing.notifiers import AllNotifiers
from tests.routing.staffing import FLOOR, IRA
from tests.support.leadgate_http import LeadgateClient, running_leadgate
from tests.support.rabbitmq import AMQP_URL, wait_for_messages


class RecordingNotifier:
    """Remembers every notification it was asked to deliver."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, Any]]] = []

    async def notify(self, routing_key: str, payload: dict[str, Any]) -> None:
        self.seen.append((routing_key, payload))


async def queue_depth(name: str) -> int:
    """Messages ready in the queue (0 while it is not declared yet)."""
    async with await aio_pika.connect(AMQP_URL) as connection:
        try:
            queue = await (await connection.channel()).declare_queue(name, passive=True)
        except aio_pika.exceptions.ChannelClosed:
            return 0
        return int(queue.declaration_result.message_count or 0)


async def until_settled(consumer: AmqpConsumer, count: int) -> None:
    for _ in range(200):
        if consumer.settled >= count:
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"the consumer settled {consumer.settled} of {count} messages")


@contextlib.asynccontextmanager
async def consuming(lg: LeadgateClient, inbox: Inbox) -> AsyncIterator[AmqpConsumer]:
    consumer = AmqpConsumer(AMQP_URL, lg.store.engine, inbox, refresh_seconds=0.1)
    task = asyncio.create_task(consumer.run())
    try:
        yield consumer
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def a_routed_lead(lg: LeadgateClient) -> None:
    answer = await lg.post_form("contact", {"phone": "+998901234567", "utm_source": "instagram"})
    assert answer.status == 201
    for _ in range(200):
        if await queue_depth(manager_queue(IRA)) == 1:
            return
        await asyncio.sleep(0.05)
    pytest.fail("the lead never reached the manager queue")


async def test_a_consumer_killed_after_handling_but_before_ack_does_not_notify_twice(
    postgres_url: str, amqp_url: str
) -> None:
    notifier = RecordingNotifier()
    async with running_leadgate(postgres_url, amqp_url=amqp_url, loops=("outbox",),
                                **FLOOR) as lg:
        inbox = Inbox(lg.store.engine, AllNotifiers([notifier]))
        await a_routed_lead(lg)
        connection = await aio_pika.connect(AMQP_URL)
        queue = await (await connection.channel()).declare_queue(manager_queue(IRA), passive=True)
        message = await queue.get(no_ack=False)
        assert message.message_id is not None
        await inbox.handle(message.message_id, message.routing_key or "", json.loads(message.body))
        await connection.close()  # dies before the ack: the broker delivers the message again
        async with consuming(lg, inbox) as consumer:
            await until_settled(consumer, 1)
        left = await queue_depth(manager_queue(IRA))

    assert [key for key, _ in notifier.seen] == [f"lead.assigned.{IRA}"]
    assert left == 0


async def test_a_poison_message_goes_to_the_dead_letter_queue_and_the_consumer_goes_on(
    postgres_url: str, amqp_url: str
) -> None:
    notifier = RecordingNotifier()
    async with running_leadgate(postgres_url, amqp_url=amqp_url, loops=("outbox",),
                                **FLOOR) as lg:
        inbox = Inbox(lg.store.engine, AllNotifiers([notifier]))
        await a_routed_lead(lg)
        async with await aio_pika.connect(AMQP_URL) as connection:
            channel = await connection.channel()
            exchange = await channel.get_exchange("leadgate")
            await exchange.publish(aio_pika.Message(b"\xff not json", message_id="junk-1"),
                                   f"lead.assigned.{IRA}")
        async with consuming(lg, inbox) as consumer:
            await until_settled(consumer, 2)
            [parked] = await wait_for_messages(DEAD_LETTER_QUEUE, 1)

    assert parked["message_id"] == "junk-1"
    assert len(notifier.seen) == 1
