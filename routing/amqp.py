"""RabbitMQ: the topology (declared idempotently) and a publisher with pipelined confirms."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aio_pika
import orjson
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange
from aio_pika.exceptions import AMQPError
from pamqp.common import FieldTable

from leads.errors import ChannelMisconfigured, ChannelUnavailable
from routing.amqp_batch import publish_batch, usable
from routing.amqp_frames import CONTENT_TYPE
from routing.relay import OutboxRow

log = logging.getLogger(__name__)

EXCHANGE = "leadgate"
DEAD_LETTER_EXCHANGE = "leadgate.dead"
DEAD_LETTER_QUEUE = "leadgate.dead"
UNASSIGNED_QUEUE = "leadgate.unassigned"
MANAGER_KEYS = ("lead.assigned", "lead.withdrawn", "lead.sla_breached", "call.ringing",
                "lead.callback_due", "lead.callback_overdue", "lead.contact_overdue",
                "channel.silent", "channel.recovered")
_MANAGER_KEY = re.compile(r"^[a-z_]+\.[a-z_]+\.(\d+)$")
QUEUE_TYPES = ("classic", "quorum")
"""`[amqp] queue_type`: quorum queues are replicated over a RabbitMQ cluster's nodes."""


def queue_type_of(section: dict[str, Any]) -> str:
    """The queue type `[amqp]` asks for; ValueError names the allowed ones."""
    queue_type = section.get("queue_type", "classic")
    if queue_type not in QUEUE_TYPES:
        raise ValueError(f"[amqp] queue_type must be one of {', '.join(QUEUE_TYPES)}, "
                         f"not {queue_type!r}")
    return str(queue_type)


def queue_arguments(queue_type: str, dead_letters: bool = True) -> FieldTable:
    """Arguments of a Leadgate queue; a classic queue names no type (as it was first declared)."""
    arguments: FieldTable = {"x-dead-letter-exchange": DEAD_LETTER_EXCHANGE} if dead_letters else {}
    if queue_type != "classic":
        arguments["x-queue-type"] = queue_type
    return arguments


def manager_queue(manager_id: int) -> str:
    """The durable queue of one manager's messages."""
    return f"leadgate.manager.{manager_id}"


def manager_of(routing_key: str) -> int | None:
    """The manager id a `<kind>.<event>.<id>` routing key is addressed to."""
    found = _MANAGER_KEY.match(routing_key)
    return int(found.group(1)) if found else None


async def connect(url: str) -> AbstractConnection:
    """Open a connection; ChannelMisconfigured for refused credentials, else ChannelUnavailable."""
    try:
        return await aio_pika.connect(url, timeout=10)
    except aio_pika.exceptions.ProbableAuthenticationError as err:
        raise ChannelMisconfigured("RabbitMQ refused the credentials in LEADGATE_AMQP_URL") from err
    except (TimeoutError, AMQPError, OSError) as err:
        raise ChannelUnavailable(f"RabbitMQ is unreachable: {type(err).__name__}") from err


async def declare_topology(channel: AbstractChannel, queue_type: str = "classic"
                           ) -> AbstractExchange:
    """Declare the exchange, the dead-letter pair and the team queue; the main exchange."""
    dead = await channel.declare_exchange(
        DEAD_LETTER_EXCHANGE, aio_pika.ExchangeType.FANOUT, durable=True
    )
    dead_queue = await channel.declare_queue(
        DEAD_LETTER_QUEUE, durable=True, arguments=queue_arguments(queue_type, dead_letters=False))
    await dead_queue.bind(dead)
    exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    unassigned = await channel.declare_queue(
        UNASSIGNED_QUEUE, durable=True, arguments=queue_arguments(queue_type)
    )
    await unassigned.bind(exchange, "lead.unassigned")
    return exchange


async def declare_manager_queue(
    channel: AbstractChannel, exchange: AbstractExchange, manager_id: int,
    queue_type: str = "classic",
) -> aio_pika.abc.AbstractQueue:
    """Declare a manager's queue and bind their routing keys (idempotent)."""
    queue = await channel.declare_queue(
        manager_queue(manager_id), durable=True, arguments=queue_arguments(queue_type)
    )
    for key in MANAGER_KEYS:
        await queue.bind(exchange, f"{key}.{manager_id}")
    return queue


def encode(payload: dict[str, Any]) -> bytes:
    """Message bodies are compact UTF-8 JSON: orjson, the standard library for what it refuses.

    The payloads come from the outbox's JSON column, so they hold nothing but JSON's own types;
    the standard library (a per cent of the CPU per routed lead) is left for an integer past 64
    bits, and for anything else orjson will not take, which it writes as text.
    """
    try:
        return orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"),
                          default=str).encode()


class AmqpPublisher:
    """Publishes outbox rows to the `leadgate` exchange: a batch in one write, confirms together.

    A batch not confirmed within `confirm_seconds` (RabbitMQ blocks publishers under a memory
    or disk alarm, and a blocked connection is simply not read) drops the connection and is
    reported as ChannelUnavailable: the relay rolls its claim back and retries with backoff
    instead of holding its transaction open for as long as the alarm lasts.
    """

    def __init__(self, url: str,
                 managers: Callable[[], Awaitable[list[int]]] | None = None,
                 queue_type: str = "classic", confirm_seconds: float = 30.0) -> None:
        self._url = url
        self._confirm_seconds = confirm_seconds
        self._managers = managers
        self._queue_type = queue_type
        self._connection: AbstractConnection | None = None
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._declared: set[int] = set()

    async def publish(self, rows: Sequence[OutboxRow]) -> list[int]:
        """Publish rows in order; the ids the broker confirmed (a prefix-agnostic subset)."""
        channel, exchange = await self._open()
        try:
            async with asyncio.timeout(self._confirm_seconds):  # TimeoutError is an OSError
                for manager in {manager_of(row.routing_key) for row in rows} - {None}:
                    assert manager is not None
                    if manager not in self._declared:
                        await declare_manager_queue(channel, exchange, manager, self._queue_type)
                        self._declared.add(manager)
                outcomes = await _send(channel, exchange, rows)
        except (AMQPError, OSError, RuntimeError) as err:
            await self.close()
            reason = type(err).__name__
            raise ChannelUnavailable(f"publishing to RabbitMQ failed: {reason}") from err
        confirmed = [row.id for row, outcome in zip(rows, outcomes, strict=True)
                     if not isinstance(outcome, BaseException)]
        if len(confirmed) < len(rows):
            failure = next(o for o in outcomes if isinstance(o, BaseException))
            log.warning("RabbitMQ confirmed %d of %d messages (%s)", len(confirmed), len(rows),
                        type(failure).__name__)
            await self.close()
        return confirmed

    async def connect(self) -> None:
        """Declare the topology and every known manager's queue, so consumers find them."""
        channel, exchange = await self._open()
        for manager in await self._managers() if self._managers else []:
            if manager not in self._declared:
                await declare_manager_queue(channel, exchange, manager, self._queue_type)
                self._declared.add(manager)

    async def close(self) -> None:
        """Drop the connection (the next publish reconnects)."""
        connection, self._connection, self._channel, self._exchange = (
            self._connection, None, None, None)
        self._declared.clear()
        if connection is not None:
            try:
                await connection.close()
            except Exception:  # closing a broken connection may fail in many ways
                log.debug("closing the RabbitMQ connection failed", exc_info=True)

    async def _open(self) -> tuple[AbstractChannel, AbstractExchange]:
        if self._channel is None or self._exchange is None or self._channel.is_closed:
            await self.close()
            self._connection = await connect(self._url)
            try:
                self._channel = await self._connection.channel(on_return_raises=True)
                self._exchange = await declare_topology(self._channel, self._queue_type)
            except (AMQPError, OSError) as err:
                await self.close()
                raise ChannelUnavailable(f"RabbitMQ: {type(err).__name__}") from err
        return self._channel, self._exchange


async def _send(channel: AbstractChannel, exchange: AbstractExchange, rows: Sequence[OutboxRow]
                ) -> Sequence[BaseException | object]:
    """Publish the rows as one batch (one write), or one by one where aiormq does not allow it."""
    underlay = await channel.get_underlay_channel()
    if usable(underlay):
        return await publish_batch(underlay, exchange.name, [
            (row.message_id, row.routing_key, encode(row.payload)) for row in rows])
    return await asyncio.gather(
        *(exchange.publish(_message(row), row.routing_key) for row in rows),
        return_exceptions=True)


def _message(row: OutboxRow) -> aio_pika.Message:
    return aio_pika.Message(
        encode(row.payload),
        message_id=row.message_id,
        content_type=CONTENT_TYPE,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )
