"""A consumer's batch is remembered once per message id, and says which ids were new."""

from __future__ import annotations

from collections.abc import Sequence

from crm_store.engine import create_engine
from crm_store.migrate import upgrade_if_empty
from crm_store.uow import SqlUnitOfWork
from leads.model import utcnow


async def consume(database_url: str, consumer: str, message_ids: Sequence[str]) -> set[str]:
    engine = create_engine(database_url)
    await upgrade_if_empty(engine)
    try:
        async with SqlUnitOfWork(engine) as uow:
            new = await uow.routing.outbox.consume_new(consumer, message_ids, utcnow())
            await uow.commit()
        return new
    finally:
        await engine.dispose()


async def test_a_batch_answers_the_ids_not_handled_before_each_once(database_url: str) -> None:
    first = await consume(database_url, "notifier", ["m2", "m1", "m2"])
    second = await consume(database_url, "notifier", ["m3", "m1", "m3", "m2"])

    assert (first, second) == ({"m1", "m2"}, {"m3"})


async def test_each_consumer_remembers_its_own_messages(database_url: str) -> None:
    await consume(database_url, "notifier", ["m1"])

    assert await consume(database_url, "crm-push", ["m1"]) == {"m1"}


async def test_an_empty_batch_is_nothing_new(database_url: str) -> None:
    assert await consume(database_url, "notifier", []) == set()
