"""A commit in a process that does not hold the relay wakes the relay in the one that does."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from crm_store.engine import create_engine
from crm_store.migrate import upgrade_if_empty
from crm_store.outbox import OutboxSignal
from crm_store.outbox_wake import OutboxWake
from routing.relay import OutboxRelay, OutboxWriter
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
