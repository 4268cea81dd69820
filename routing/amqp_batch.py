"""A batch of persistent messages written to RabbitMQ in one frame run, each with its own confirm.

aio-pika publishes one message at a time: each waits for the channel's lock and for its own
socket write, so a batch of 500 costs 500 writes, 500 TCP segments for the broker to read and
most of the relay's CPU. Here the whole batch is framed at once and handed to the connection's
writer as one payload, while every message still gets its delivery tag and its confirmation
future registered exactly as aiormq's `basic_publish` does: acks (single or multiple), nacks,
returns of unroutable messages and a closing channel settle them as they would settle its own.
It relies on the aiormq 7.2 channel internals named in `usable`; with another aiormq the
publisher falls back to aio-pika's one-by-one publishing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from aiormq.abc import ChannelFrame

from routing.amqp_frames import publish_frames

_INTERNALS = ("lock", "delivery_tag", "confirmations", "message_id_delivery_tag", "write_queue",
              "number", "max_content_size", "publisher_confirms", "create_future")


def usable(channel: Any) -> bool:
    """Whether this aiormq channel has the internals a batch needs, confirms switched on."""
    return (all(hasattr(channel, name) for name in _INTERNALS)
            and bool(channel.publisher_confirms))


async def publish_batch(channel: Any, exchange: str,
                        messages: Sequence[tuple[str, str, bytes]]) -> list[BaseException | None]:
    """Publish (message id, routing key, body) triples in order; per message None or its error.

    Returns once the broker confirmed, refused or returned every message, or the channel
    closed (then each unsettled message carries the closing error).
    """
    number, size = channel.number, channel.max_content_size
    framed = b"".join(  # framed first: nothing after can fail
        publish_frames(number, exchange, routing_key, message_id, body, size)
        for message_id, routing_key, body in messages)
    written = channel.create_future()
    payload = ChannelFrame(payload=framed, should_close=False, drain_future=written)
    confirmations: list[asyncio.Future[Any]] = []
    async with channel.lock:  # raises if the channel closed meanwhile
        for message_id, _, _ in messages:
            channel.delivery_tag += 1
            tag = channel.delivery_tag
            confirmation = channel.create_future()
            channel.confirmations[tag] = confirmation
            channel.message_id_delivery_tag[message_id] = tag
            confirmation.add_done_callback(_forget(channel, message_id, tag))
            confirmations.append(confirmation)
        await channel.write_queue.put(payload)
        try:
            await written
        except asyncio.CancelledError:
            raise
        except Exception as err:  # a closing connection rejects it with whatever closed it
            raise ConnectionError(f"the batch was not written: {type(err).__name__}") from err
    outcomes = await asyncio.gather(*confirmations, return_exceptions=True)
    return [outcome if isinstance(outcome, BaseException) else None for outcome in outcomes]


def _forget(channel: Any, message_id: str, tag: int) -> Any:
    def forget(_: asyncio.Future[Any]) -> None:
        if channel.message_id_delivery_tag.get(message_id) == tag:
            del channel.message_id_delivery_tag[message_id]
    return forget
