"""Two relays running at once never publish a row twice, and the rows leave in the order written."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.engine import create_engine
from crm_store.migrate import upgrade_if_empty
from crm_store.outbox import OutboxSignal, SqlOutbox, unsent_count
from leads.model import utcnow
from routing.relay import OutboxRelay, OutboxRow

ROWS = 1500


class SlowPublisher:
    """Takes its time over each batch, so two relays overlap; records what it was given."""

    def __init__(self, log: list[int]) -> None:
        self.log = log
        self.published = 0

    async def connect(self) -> None:
        pass

    async def publish(self, rows: Sequence[OutboxRow]) -> list[int]:
        await asyncio.sleep(0.01)
        self.log.extend(int(row.message_id) for row in rows)
        self.published += len(rows)
        return [row.id for row in rows]

    async def close(self) -> None:
        pass


async def test_two_relays_at_once_publish_every_row_once_in_order(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    await upgrade_if_empty(engine)
    async with engine.begin() as conn:
        await SqlOutbox(conn).add([(str(n), f"lead.assigned.{n % 3 + 1}", {"n": n})
                                   for n in range(ROWS)], utcnow())
    published: list[int] = []
    publishers = [SlowPublisher(published) for _ in range(2)]
    relays = [OutboxRelay(engine, publisher, OutboxSignal(), batch=100, poll_seconds=0.01)
              for publisher in publishers]
    tasks = [asyncio.create_task(relay.run()) for relay in relays]
    try:
        async with asyncio.timeout(60):
            while True:
                async with engine.connect() as conn:
                    if await unsent_count(conn) == 0:
                        break
                await asyncio.sleep(0.05)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await engine.dispose()

    assert published == list(range(ROWS))
    assert all(publisher.published > 0 for publisher in publishers)  # both took turns


class CommitDuringPublish:
    """On its first batch, another commit writes a row and rings, as intake does meanwhile."""

    def __init__(self, engine: AsyncEngine, signal: OutboxSignal) -> None:
        self.engine, self.signal = engine, signal
        self.log: list[str] = []

    async def connect(self) -> None:
        pass

    async def publish(self, rows: Sequence[OutboxRow]) -> list[int]:
        if not self.log:
            async with self.engine.begin() as conn:
                await SqlOutbox(conn).add([("late", "lead.assigned.1", {})], utcnow())
            self.signal.ring()
        self.log.extend(row.message_id for row in rows)
        return [row.id for row in rows]

    async def close(self) -> None:
        pass


async def test_a_commit_rung_while_a_batch_is_out_is_relayed_without_waiting_for_the_poll(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    await upgrade_if_empty(engine)
    signal = OutboxSignal()
    publisher = CommitDuringPublish(engine, signal)
    relay = OutboxRelay(engine, publisher, signal, poll_seconds=3600)
    async with engine.begin() as conn:
        await SqlOutbox(conn).add([("early", "lead.assigned.1", {})], utcnow())
    task = asyncio.create_task(relay.run())
    try:
        async with asyncio.timeout(60):  # a guard only: the poll alone would take an hour
            while True:
                if relay.published >= 2:
                    break
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await engine.dispose()

    assert publisher.log == ["early", "late"]
    assert relay.published == 2
