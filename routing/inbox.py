"""The notifiers' side of the queue: each message handled once, by message id, in either mode."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store import outbox
from crm_store.staff import SqlStaffStore
from crm_store.uow import SqlUnitOfWork
from leads.model import utcnow
from routing.notifiers import AllNotifiers
from routing.relay import OutboxRow

if TYPE_CHECKING:  # aio-pika is imported only in broker mode
    from aio_pika.abc import AbstractIncomingMessage

log = logging.getLogger(__name__)
CONSUMER = "notifiers"


class Inbox:
    """Hands a message to the notifiers unless it was handled before (redelivery is harmless)."""

    def __init__(self, engine: AsyncEngine, notifiers: AllNotifiers) -> None:
        self._engine = engine
        self._notifiers = notifiers

    async def handle(self, message_id: str, routing_key: str, payload: dict[str, Any]) -> bool:
        """Notify and remember; False when the message had been handled already."""
        if not self._notifiers.notifiers:
            return True  # nobody to tell: the queue itself is the delivery (a CRM consumes it)
        async with self._engine.connect() as conn:
            if await outbox.consumed(conn, CONSUMER, message_id):
                return False
        # Notify first, then remember: a crash in between may notify twice, never zero times.
        await self._notifiers.notify(routing_key, payload)
        async with SqlUnitOfWork(self._engine) as uow:
            fresh = await uow.routing.outbox.consume_once(CONSUMER, message_id, utcnow())
            await uow.commit()
        return fresh


class InProcessPublisher:
    """Embedded mode: the relay hands messages straight to the inbox, no broker in between."""

    def __init__(self, inbox: Inbox) -> None:
        self._inbox = inbox

    async def publish(self, rows: Sequence[OutboxRow]) -> list[int]:
        """Handle rows in order; stop at the first failure (the rest are retried later)."""
        done: list[int] = []
        for row in rows:
            try:
                await self._inbox.handle(row.message_id, row.routing_key, row.payload)
            except Exception as err:  # a notifier outage: keep the row, retry with backoff
                log.warning("in-process delivery failed: %s", type(err).__name__)
                break
            done.append(row.id)
        return done

    async def connect(self) -> None:
        """Nothing to prepare."""

    async def close(self) -> None:
        """Nothing to release."""


async def manager_ids(engine: AsyncEngine) -> list[int]:
    """Every manager's id (each has a queue)."""
    async with engine.connect() as conn:
        return await SqlStaffStore(conn).manager_ids()


class AmqpConsumer:
    """Consumes every manager's queue and hands each message to the inbox; acks after handling."""

    name = "notifiers"

    def __init__(self, url: str, engine: AsyncEngine, inbox: Inbox, prefetch: int = 32,
                 refresh_seconds: float = 30.0,
                 report: Callable[[str, str], None] = lambda state, detail: None) -> None:
        self._url = url
        self._report = report
        self._engine = engine
        self._inbox = inbox
        self._prefetch = prefetch
        self._refresh = refresh_seconds
        self.settled = 0
        """Messages acknowledged or dead-lettered so far."""

    async def run(self) -> None:
        """Consume until cancelled; new managers' queues are picked up every refresh."""
        from routing.amqp import connect, declare_manager_queue, declare_topology

        connection = await connect(self._url)
        try:
            channel = await connection.channel()
            await channel.set_qos(prefetch_count=self._prefetch)
            exchange = await declare_topology(channel)
            consuming: set[int] = set()
            while not connection.is_closed:
                for manager in set(await manager_ids(self._engine)) - consuming:
                    queue = await declare_manager_queue(channel, exchange, manager)
                    await queue.consume(self._on_message)
                    consuming.add(manager)
                self._report("ok", f"consuming {len(consuming)} manager queues")
                await asyncio.sleep(self._refresh)
            raise ConnectionError("the RabbitMQ connection closed")
        finally:
            await connection.close()


    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        try:
            payload = json.loads(message.body)
            if not isinstance(payload, dict) or not message.message_id:
                raise ValueError("not a JSON object with a message id")
        except ValueError:
            log.warning("poison message on %s sent to the dead-letter queue", message.routing_key)
            await message.reject(requeue=False)
            self.settled += 1
            return
        try:
            await self._inbox.handle(message.message_id, message.routing_key or "", payload)
        except Exception as err:  # the notifier is down: give the broker the message back
            log.warning("notification failed (%s); message requeued", type(err).__name__)
            await asyncio.sleep(1.0)
            await message.nack(requeue=True)
            return
        await message.ack()
        self.settled += 1

