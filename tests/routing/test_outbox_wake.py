"""Commits wake the relay, from another process too, and the commits of one moment share a batch."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from crm_store.engine import create_engine
from crm_store.migrate import upgrade_if_empty
from crm_store.outbox import OutboxSignal
from crm_store.outbox_wake import OutboxWake
from routing.relay import OutboxRelay, OutboxRow, OutboxWriter
from tests.routing.test_outbox_claims import SlowPublisher


async def until(condition: Callable[[], bool]) -> None:
    while True:
        if condition():
            return
        await asyncio.sleep(0.01)


async def test_a_commit_elsewhere_is_relayed_without_waiting_for_the_poll(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url)
    await upgrade_if_empty(engine)
    here, elsewhere = (OutboxSignal(OutboxWake(engine, postgres_url)) for _ in range(2))
    published: list[int] = []
    relay = OutboxRelay(engine, SlowPublisher(published), here, poll_seconds=3600)
    task = asyncio.create_task(relay.run())
    try:
        async with asyncio.timeout(60):  # a guard only: the poll alone would take an hour
            await until(lambda: here.listening)
            await OutboxWriter(engine, elsewhere)("lead.assigned.1", {"n": 7}, "7")
            await until(lambda: relay.published == 1)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await engine.dispose()

    assert published == [7]


class BatchLog:
    """Records each batch it is given, as the message ids in it."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    async def connect(self) -> None:
        pass

    async def publish(self, rows: Sequence[OutboxRow]) -> list[int]:
        self.batches.append([row.message_id for row in rows])
        return [row.id for row in rows]

    async def close(self) -> None:
        pass


async def test_commits_rung_while_the_relay_lingers_leave_in_one_batch(database_url: str) -> None:
    engine = create_engine(database_url)
    await upgrade_if_empty(engine)
    signal, publisher = OutboxSignal(), BatchLog()
    # A linger far longer than two commits take, so the second always falls inside it.
    relay = OutboxRelay(engine, publisher, signal, poll_seconds=3600, linger_seconds=1.0)
    write = OutboxWriter(engine, signal)
    await write("lead.assigned.1", {}, "first")
    task = asyncio.create_task(relay.run())
    try:
        async with asyncio.timeout(60):
            await until(lambda: relay.published == 1)  # the relay now waits for a ring
            await write("lead.assigned.1", {}, "second")
            await write("lead.assigned.2", {}, "third")
            await until(lambda: relay.published == 3)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await engine.dispose()

    assert publisher.batches == [["first"], ["second", "third"]]
