"""Two relays running at once never publish a row twice, and the rows leave in the order written."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.engine import create_engine
from crm_store.migrate import upgrade_if_empty
from crm_store.outbox import OutboxSignal, SqlOutbox, claim_marking, unsent, unsent_count
from leads.errors import ChannelUnavailable
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


async def test_a_claim_takes_only_the_rows_before_one_another_relay_holds(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url)
    await upgrade_if_empty(engine)
    async with engine.begin() as conn:
        await SqlOutbox(conn).add([(str(n), "lead.assigned.1", {"n": n}) for n in range(10)],
                                  utcnow())
    try:
        async with engine.connect() as other, other.begin():
            await other.execute(text("SELECT id FROM outbox WHERE message_id = '4' FOR UPDATE"))
            before_it = await other_claim(engine)
            async with engine.connect() as conn, conn.begin():
                await conn.execute(text("SELECT id FROM outbox WHERE message_id = '0' FOR UPDATE"))
                held_first = await other_claim(engine)
        after_release = await other_claim(engine)
    finally:
        await engine.dispose()

    assert before_it == ["0", "1", "2", "3"]
    assert held_first == []
    assert after_release == [str(n) for n in range(10)]


async def other_claim(engine: AsyncEngine) -> list[str]:
    """The message ids a claim on a connection of its own takes (rolled back after)."""
    async with engine.connect() as conn, conn.begin():
        taken = [row.message_id for row in await claim_marking(conn, 100, utcnow())]
        await conn.rollback()
    return taken


class Refusing:
    """Confirms every row but the second of each batch, as a broker returning one message."""

    def __init__(self) -> None:
        self.log: list[str] = []

    async def connect(self) -> None:
        pass

    async def publish(self, rows: Sequence[OutboxRow]) -> list[int]:
        self.log.extend(row.message_id for row in rows)
        return [row.id for n, row in enumerate(rows) if n != 1]

    async def close(self) -> None:
        pass


async def test_rows_left_unconfirmed_stay_unsent_and_go_out_in_the_next_batch(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    await upgrade_if_empty(engine)
    async with engine.begin() as conn:
        await SqlOutbox(conn).add([(str(n), "lead.assigned.1", {"n": n}) for n in range(4)],
                                  utcnow())
    publisher = Refusing()
    relay = OutboxRelay(engine, publisher, OutboxSignal())
    try:
        with pytest.raises(ChannelUnavailable):
            await relay.relay_once()
        async with engine.connect() as conn:
            left = [row.message_id for row in await unsent(conn, 100)]
        moved = await relay.relay_once()
        async with engine.connect() as conn:
            waiting = await unsent_count(conn)
    finally:
        await engine.dispose()

    assert left == ["1"]
    assert moved == 1
    assert waiting == 0
    assert publisher.log == ["0", "1", "2", "3", "1"]
    assert relay.published == 4
