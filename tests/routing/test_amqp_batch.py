"""A batch reaches RabbitMQ in one write, a confirm per message, as aio-pika's publish would."""

from __future__ import annotations

import asyncio

import aio_pika
import pytest

from leads.errors import ChannelUnavailable
from routing import amqp
from routing.amqp import AmqpPublisher, manager_queue
from routing.relay import OutboxRow
from tests.support.rabbitmq import broker_proxy, read_queue, url_through


def rows(count: int, manager: int = 1, first: int = 1) -> list[OutboxRow]:
    return [OutboxRow(n, f"lead.assigned:{n}", f"lead.assigned.{manager}", {"lead_id": n, "n": "№"})
            for n in range(first, first + count)]


async def properties(url: str, queue: str) -> list[tuple[str | None, str | None, int | None]]:
    async with await aio_pika.connect(url) as connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        taken = []
        while message := await declared.get(no_ack=True, fail=False):
            taken.append((message.message_id, message.content_type, message.delivery_mode))
        return taken


async def test_a_batch_lands_in_order_each_message_confirmed_and_persistent(amqp_url: str) -> None:
    publisher = AmqpPublisher(amqp_url)
    try:
        confirmed = await publisher.publish(rows(300))
    finally:
        await publisher.close()
    landed = await properties(amqp_url, manager_queue(1))

    assert confirmed == list(range(1, 301))
    assert landed == [(f"lead.assigned:{n}", "application/json",
                       aio_pika.DeliveryMode.PERSISTENT) for n in range(1, 301)]


async def test_a_message_larger_than_a_frame_arrives_whole(amqp_url: str) -> None:
    big = OutboxRow(1, "lead.assigned:big", "lead.assigned.1",
                    {"lead_id": 1, "text": "я" * 200_000})
    publisher = AmqpPublisher(amqp_url)
    try:
        confirmed = await publisher.publish([big, *rows(2, first=2)])
    finally:
        await publisher.close()
    landed = await read_queue(manager_queue(1))

    assert confirmed == [1, 2, 3]
    assert [m["payload"] for m in landed] == [big.payload, rows(1, first=2)[0].payload,
                                              rows(1, first=3)[0].payload]


async def test_an_unroutable_message_is_left_unconfirmed_and_the_rest_of_its_batch_confirmed(
    amqp_url: str,
) -> None:
    lost = OutboxRow(3, "lead.nowhere:3", "lead.nowhere", {"lead_id": 3})
    batch = [*rows(2), lost, *rows(2, first=4)]
    publisher = AmqpPublisher(amqp_url)
    try:
        confirmed = await publisher.publish(batch)
        again = await publisher.publish(rows(1, first=6))
    finally:
        await publisher.close()

    assert confirmed == [1, 2, 4, 5]
    assert again == [6]
    assert [m["message_id"] for m in await read_queue(manager_queue(1))] == [
        f"lead.assigned:{n}" for n in (1, 2, 4, 5, 6)]


async def test_one_by_one_publishing_where_aiormq_lacks_the_internals_lands_the_same(
    amqp_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(amqp, "usable", lambda channel: False)
    publisher = AmqpPublisher(amqp_url)
    try:
        confirmed = await publisher.publish(rows(50))
    finally:
        await publisher.close()

    assert confirmed == list(range(1, 51))
    assert [m["message_id"] for m in await read_queue(manager_queue(1))] == [
        f"lead.assigned:{n}" for n in range(1, 51)]


async def test_a_connection_cut_during_a_batch_confirms_nothing_it_did_not_see_confirmed(
    amqp_url: str,
) -> None:
    async with broker_proxy() as proxy:
        publisher = AmqpPublisher(url_through(proxy.port))
        await publisher.publish(rows(1))  # connected and the topology declared
        publishing = asyncio.create_task(publisher.publish(rows(2000, first=2)))
        await asyncio.sleep(0)
        await proxy.cut()
        try:
            confirmed = await asyncio.wait_for(publishing, 30)
        except ChannelUnavailable:
            confirmed = []
        finally:
            await publisher.close()
    landed = {m["message_id"] for m in await read_queue(manager_queue(1))}

    assert {f"lead.assigned:{n}" for n in confirmed} <= landed
    assert len(confirmed) < 2000
