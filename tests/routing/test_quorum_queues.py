"""`[amqp] queue_type = "quorum"` declares the queues as quorum queues, which still deliver."""

from __future__ import annotations

import aio_pika
import pytest
from aio_pika.exceptions import ChannelPreconditionFailed

from routing.amqp import (
    DEAD_LETTER_QUEUE,
    UNASSIGNED_QUEUE,
    AmqpPublisher,
    manager_queue,
    queue_arguments,
    queue_type_of,
)
from routing.relay import OutboxRow
from tests.support.rabbitmq import read_queue


async def queue_type_is_quorum(url: str, queue: str) -> bool:
    """RabbitMQ refuses to declare a quorum queue again as classic: that tells its type."""
    async with await aio_pika.connect(url) as connection:
        channel = await connection.channel()
        try:
            arguments = queue_arguments("classic", dead_letters=queue != DEAD_LETTER_QUEUE)
            await channel.declare_queue(queue, durable=True,
                                        arguments={**arguments, "x-queue-type": "classic"})
        except ChannelPreconditionFailed as err:
            return "x-queue-type" in str(err)
        return False


async def test_quorum_queues_are_declared_and_take_the_routing_messages(amqp_url: str) -> None:
    publisher = AmqpPublisher(amqp_url, queue_type="quorum")
    try:
        await publisher.publish([
            OutboxRow(1, "lead.assigned:1:1", "lead.assigned.7", {"lead_id": 1}),
            OutboxRow(2, "lead.unassigned:2:1", "lead.unassigned", {"lead_id": 2}),
        ])
    finally:
        await publisher.close()

    for queue in (manager_queue(7), UNASSIGNED_QUEUE, DEAD_LETTER_QUEUE):
        assert await queue_type_is_quorum(amqp_url, queue), queue
    assert [m["message_id"] for m in await read_queue(manager_queue(7))] == ["lead.assigned:1:1"]
    assert [m["message_id"] for m in await read_queue(UNASSIGNED_QUEUE)] == [
        "lead.unassigned:2:1"]


@pytest.mark.parametrize("value", ["stream", 3])
def test_an_unknown_queue_type_is_refused_with_the_allowed_ones(value: object) -> None:
    with pytest.raises(ValueError, match="classic, quorum"):
        queue_type_of({"queue_type": value})


def test_classic_queues_are_the_default() -> None:
    assert queue_type_of({}) == "classic"
