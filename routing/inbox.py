"""The notifiers' side of the queue: each message handled once, by message id, in either mode."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store import outbox
from crm_store.engine import is_sqlite
from crm_store.staff import SqlStaffStore
from crm_store.uow import SqlUnitOfWork
from leads.model import utcnow
from routing.notifiers import AllNotifiers
from routing.relay import OutboxRow

if TYPE_CHECKING:  # aio-pika is imported only in broker mode
    from aio_pika.abc import AbstractIncomingMessage

log = logging.getLogger(__name__)
CONSUMER = "notifiers"


Message = tuple[str, str, dict[str, Any]]
"""A message as the inbox takes it: (message id, routing key, payload)."""


class Inbox:
    """Hands a message to the notifiers unless it was handled before (redelivery is harmless)."""

    def __init__(self, engine: AsyncEngine, notifiers: AllNotifiers) -> None:
        self._engine = engine
        self._notifiers = notifiers

    async def handle(self, message_id: str, routing_key: str, payload: dict[str, Any]) -> bool:
        """Notify and remember; False when the message had been handled already."""
        [outcome] = await self.handle_many([(message_id, routing_key, payload)])
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    async def handle_many(self, messages: Sequence[Message], in_order: bool = False
                          ) -> list[bool | Exception]:
        """Notify those not handled before and remember them, in one transaction.

        Per message: True (notified now), False (handled before) or why notifying failed.
        The notifications go out together; `in_order`, one after another, and the first
        failure stops the rest (they carry that failure too). A crash before the commit may
        notify twice, never zero times: the message comes back and was not remembered.
        """
        if not self._notifiers.notifiers:
            return [True] * len(messages)  # nobody to tell: the queue itself is the delivery
        if is_sqlite(self._engine):
            return await self._notify_then_remember(messages, in_order)
        # Remembered first, committed after notifying: the transaction's rows keep a second
        # consumer handed the same message waiting until this one is done with it.
        async with SqlUnitOfWork(self._engine) as uow:
            store = uow.routing.outbox
            new = await store.consume_new(CONSUMER, [m[0] for m in messages], utcnow())
            outcomes, fresh = await self._notify_new(messages, new, in_order)
            failed = [messages[n][0] for n in fresh if outcomes[n] is not True]
            if failed:
                await store.forget(CONSUMER, failed)
            await uow.commit()
        return outcomes

    async def _notify_then_remember(self, messages: Sequence[Message], in_order: bool
                                    ) -> list[bool | Exception]:
        """SQLite: no write transaction is held while notifying, which would stall every writer."""
        async with self._engine.connect() as conn:
            seen = await outbox.consumed_among(conn, CONSUMER, [m[0] for m in messages])
        outcomes, fresh = await self._notify_new(
            messages, {m[0] for m in messages} - seen, in_order)
        done = [messages[n][0] for n in fresh if outcomes[n] is True]
        if done:
            async with SqlUnitOfWork(self._engine) as uow:
                await uow.routing.outbox.consume_many(CONSUMER, done, utcnow())
                await uow.commit()
        return outcomes

    async def _notify_new(self, messages: Sequence[Message], new: set[str], in_order: bool
                          ) -> tuple[list[bool | Exception], list[int]]:
        """Notify the first of each message id in `new`; the outcomes, and whom it notified."""
        outcomes: list[bool | Exception] = [False] * len(messages)
        fresh = []
        for n, (message_id, _, _) in enumerate(messages):
            if message_id in new:
                new.discard(message_id)
                fresh.append(n)
        for n, outcome in zip(fresh, await self._notify([messages[n] for n in fresh], in_order),
                              strict=True):
            outcomes[n] = outcome
        return outcomes, fresh

    async def _notify(self, messages: Sequence[Message], in_order: bool
                      ) -> list[bool | Exception]:
        if not in_order:
            results = await asyncio.gather(
                *(self._notifiers.notify(key, payload) for _, key, payload in messages),
                return_exceptions=True)
            return [result if isinstance(result, Exception) else True for result in results]
        outcomes: list[bool | Exception] = []
        for _, key, payload in messages:
            try:
                await self._notifiers.notify(key, payload)
            except Exception as err:  # a notifier outage: this one and the rest wait
                return outcomes + [err] * (len(messages) - len(outcomes))
            outcomes.append(True)
        return outcomes


class InProcessPublisher:
    """Embedded mode: the relay hands messages straight to the inbox, no broker in between."""

    def __init__(self, inbox: Inbox) -> None:
        self._inbox = inbox

    async def publish(self, rows: Sequence[OutboxRow]) -> list[int]:
        """Handle rows in order; stop at the first failure (the rest are retried later)."""
        try:
            outcomes = await self._inbox.handle_many(
                [(row.message_id, row.routing_key, row.payload) for row in rows], in_order=True)
        except Exception as err:  # the store is away: keep the rows, retry with backoff
            log.warning("in-process delivery failed: %s", type(err).__name__)
            return []
        stop = next((n for n, o in enumerate(outcomes) if isinstance(o, Exception)), len(rows))
        if stop < len(rows):  # a notifier outage: keep the rest, retry with backoff
            log.warning("in-process delivery failed: %s", type(outcomes[stop]).__name__)
        return [row.id for row in rows[:stop]]

    async def connect(self) -> None:
        """Nothing to prepare."""

    async def close(self) -> None:
        """Nothing to release."""


async def manager_ids(engine: AsyncEngine) -> list[int]:
    """Every manager's id (each has a queue)."""
    async with engine.connect() as conn:
        return await SqlStaffStore(conn).manager_ids()


class AmqpConsumer:
    """Consumes every manager's queue; what arrived meanwhile is handled and acked as one batch."""

    name = "notifiers"

    def __init__(self, url: str, engine: AsyncEngine, inbox: Inbox, prefetch: int = 32,
                 refresh_seconds: float = 30.0,
                 report: Callable[[str, str], None] = lambda state, detail: None,
                 queue_type: str = "classic") -> None:
        self._url = url
        self._report = report
        self._queue_type = queue_type
        self._engine = engine
        self._inbox = inbox
        self._prefetch = prefetch
        self._refresh = refresh_seconds
        self._arrived: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
        self.settled = 0
        """Messages acknowledged or dead-lettered so far."""

    async def run(self) -> None:
        """Consume until cancelled; new managers' queues are picked up every refresh."""
        from routing.amqp import connect, declare_manager_queue, declare_topology

        connection = await connect(self._url)
        self._arrived = asyncio.Queue()  # deliveries of an earlier connection are void
        settling = asyncio.create_task(self._settle_forever())
        try:
            channel = await connection.channel()
            await channel.set_qos(prefetch_count=self._prefetch)
            exchange = await declare_topology(channel, self._queue_type)
            consuming: set[int] = set()
            while not connection.is_closed and not settling.done():
                for manager in set(await manager_ids(self._engine)) - consuming:
                    queue = await declare_manager_queue(channel, exchange, manager,
                                                        self._queue_type)
                    await queue.consume(self._on_message)
                    consuming.add(manager)
                self._report("ok", f"consuming {len(consuming)} manager queues")
                await asyncio.wait({settling}, timeout=self._refresh)
            if settling.done():
                settling.result()  # raises what stopped it
            raise ConnectionError("the RabbitMQ connection closed")
        finally:
            settling.cancel()
            await asyncio.gather(settling, return_exceptions=True)
            await connection.close()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        self._arrived.put_nowait(message)

    async def _settle_forever(self) -> None:
        """Handle everything that arrived since the last batch, in delivery order."""
        while True:
            batch = [await self._arrived.get()]
            while not self._arrived.empty():
                batch.append(self._arrived.get_nowait())
            await self._settle(batch)

    async def _settle(self, batch: list[AbstractIncomingMessage]) -> None:
        """Notify, remember (one commit), then ack the batch at once with `multiple`.

        Every delivery before the last one acked is settled by then (poison rejected, failures
        given back), so one ack with `multiple` acknowledges exactly the handled messages.
        """
        readable: list[tuple[AbstractIncomingMessage, dict[str, Any]]] = []
        for message in batch:
            try:
                payload = json.loads(message.body)
                if not isinstance(payload, dict) or not message.message_id:
                    raise ValueError("not a JSON object with a message id")
            except ValueError:
                log.warning("poison message on %s sent to the dead-letter queue",
                            message.routing_key)
                await message.reject(requeue=False)
                self.settled += 1
                continue
            readable.append((message, payload))
        try:
            outcomes = await self._inbox.handle_many(
                [(m.message_id or "", m.routing_key or "", payload) for m, payload in readable])
        except Exception as err:  # the store is away: the same as a notifier outage
            outcomes = [err] * len(readable)
        failed = [m for (m, _), outcome in zip(readable, outcomes, strict=True)
                  if isinstance(outcome, Exception)]
        if failed:  # the notifier is down: give the broker those messages back
            log.warning("%d notifications failed; messages requeued", len(failed))
            await asyncio.sleep(1.0)
            for message in failed:
                await message.nack(requeue=True)
        handled = [m for (m, _), outcome in zip(readable, outcomes, strict=True)
                   if not isinstance(outcome, Exception)]
        if handled:
            await handled[-1].ack(multiple=True)
            self.settled += len(handled)
