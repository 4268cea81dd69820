"""The inbox handles what arrives together as one batch: one look-up, one commit, one ack."""

from __future__ import annotations

import asyncio
from typing import Any

import aio_pika
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.engine import create_engine
from crm_store.migrate import upgrade_if_empty
from crm_store.routing_tables import consumed_messages
from routing.amqp import declare_manager_queue, declare_topology, manager_queue
from routing.inbox import Inbox, InProcessPublisher
from routing.notifiers import AllNotifiers
from routing.relay import OutboxRow
from tests.routing.staffing import FLOOR, IRA
from tests.routing.test_redelivery import (
    RecordingNotifier,
    consuming,
    queue_depth,
    until_settled,
)
from tests.support.leadgate_http import running_leadgate
from tests.support.rabbitmq import AMQP_URL

MESSAGES = 60


class DownFrom(RecordingNotifier):
    """Fails for every message whose number is `first_down` or more until it is brought back."""

    def __init__(self, first_down: int) -> None:
        super().__init__()
        self.first_down = first_down

    async def notify(self, routing_key: str, payload: dict[str, Any]) -> None:
        if payload["n"] >= self.first_down:
            raise ConnectionError("notifier away")
        await super().notify(routing_key, payload)


async def test_messages_that_arrive_together_are_each_notified_once_and_all_acknowledged(
    postgres_url: str, amqp_url: str,
) -> None:
    notifier = RecordingNotifier()
    async with running_leadgate(postgres_url, amqp_url=amqp_url, loops=("outbox",),
                                **FLOOR) as lg:
        inbox = Inbox(lg.store.engine, AllNotifiers([notifier]))
        async with await aio_pika.connect(AMQP_URL) as connection:
            channel = await connection.channel()
            exchange = await declare_topology(channel)
            await declare_manager_queue(channel, exchange, IRA)
            for n in range(MESSAGES):  # waiting together, as after a consumer's restart
                await exchange.publish(aio_pika.Message(
                    b'{"n": %d}' % n, message_id=f"m{n}"), f"lead.assigned.{IRA}")
            await exchange.publish(aio_pika.Message(b'{"n": 0}', message_id="m0"),
                                   f"lead.assigned.{IRA}")  # the first one again
        async with consuming(lg, inbox) as consumer:
            await until_settled(consumer, MESSAGES + 1)
        left = await queue_depth(manager_queue(IRA))
        async with lg.store.engine.connect() as conn:
            remembered = await conn.scalar(select(func.count()).select_from(consumed_messages))

    assert sorted(payload["n"] for _, payload in notifier.seen) == list(range(MESSAGES))
    assert left == 0
    assert remembered == MESSAGES


async def test_in_process_delivery_stops_at_the_first_failure_and_resumes_where_it_stopped(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    await upgrade_if_empty(engine)
    notifier = DownFrom(3)
    publisher = InProcessPublisher(Inbox(engine, AllNotifiers([notifier])))
    rows = [OutboxRow(n + 1, f"m{n}", "lead.assigned.1", {"n": n}) for n in range(6)]
    try:
        first = await publisher.publish(rows)
        notifier.first_down = 99
        second = await publisher.publish(rows)
    finally:
        await engine.dispose()

    assert first == [1, 2, 3]
    assert second == [1, 2, 3, 4, 5, 6]
    assert [payload["n"] for _, payload in notifier.seen] == [0, 1, 2, 3, 4, 5]


class WaitsForAnother(RecordingNotifier):
    """Notifies only once another transaction of the database waits on a lock."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__()
        self.engine = engine
        self.called = asyncio.Event()

    async def notify(self, routing_key: str, payload: dict[str, Any]) -> None:
        self.called.set()
        async with asyncio.timeout(30):  # a guard only: the other one is waiting at once
            while True:
                async with self.engine.connect() as conn:
                    if await conn.scalar(text(
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                            " AND datname = current_database()")):
                        break
                await asyncio.sleep(0.01)
        await super().notify(routing_key, payload)


async def test_a_message_two_consumers_are_handed_at_once_is_notified_once(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url)
    await upgrade_if_empty(engine)
    notifier = WaitsForAnother(engine)
    message = ("m1", "lead.assigned.1", {"n": 1})
    try:
        first = asyncio.create_task(Inbox(engine, AllNotifiers([notifier])).handle(*message))
        await notifier.called.wait()
        second = await Inbox(engine, AllNotifiers([notifier])).handle(*message)
        handled_first = await first
    finally:
        await engine.dispose()

    assert (handled_first, second) == (True, False)
    assert len(notifier.seen) == 1
