"""Group commit answers each sender after commit, and one bad event never fails its group."""

from __future__ import annotations

import asyncio

import pytest

from crm_store.engine import create_engine
from crm_store.group_commit import GroupCommitter
from crm_store.migrate import upgrade_if_empty
from crm_store.uow import SqlUnitOfWork
from leads.errors import EventRefused, StoreUnavailable
from leads.model import utcnow
from tests.store_counts import row_counts


async def test_a_failing_event_fails_alone_and_its_group_still_commits(database_url: str) -> None:
    engine = create_engine(database_url)
    await upgrade_if_empty(engine)

    async def work(uow: SqlUnitOfWork, name: str) -> int:
        if name == "bad":
            raise ValueError("this one is broken")
        return await uow.intake.create_customer(name, utcnow())

    committer: GroupCommitter[str, int] = GroupCommitter(engine, work, max_group=16)
    await committer.start()
    try:
        results = await asyncio.gather(
            *[committer.submit(name) for name in ["a", "b", "bad", "c"]], return_exceptions=True
        )
        counts = await row_counts(engine)
    finally:
        await committer.stop()
        await engine.dispose()

    assert isinstance(results[2], ValueError)
    assert len({r for r in results if isinstance(r, int)}) == 3
    assert counts["customers"] == 3


async def test_submitting_to_a_stopped_committer_is_store_unavailable(database_url: str) -> None:
    engine = create_engine(database_url)

    async def work(uow: SqlUnitOfWork, name: str) -> int:
        return 0

    committer: GroupCommitter[str, int] = GroupCommitter(engine, work)
    with pytest.raises(StoreUnavailable):
        await committer.submit("x")
    await engine.dispose()


async def test_data_the_database_refuses_is_refused_for_good_not_unavailable(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url)

    async def work(uow: SqlUnitOfWork, name: str) -> int:
        return await uow.intake.create_customer(name, utcnow())  # names are VARCHAR(200)

    committer: GroupCommitter[str, int] = GroupCommitter(engine, work)
    await committer.start()
    try:
        results = await asyncio.gather(committer.submit("x" * 300), committer.submit("ok"),
                                       return_exceptions=True)
    finally:
        await committer.stop()
        await engine.dispose()

    assert isinstance(results[0], EventRefused)
    assert isinstance(results[1], int)


async def test_groups_shrink_to_what_fits_the_latency_budget_when_items_are_slow(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(database_url)
    await upgrade_if_empty(engine)
    clock = [0.0]
    monkeypatch.setattr("crm_store.group_commit.time.monotonic", lambda: clock[0])
    sizes: list[int] = []

    async def work(uow: SqlUnitOfWork, item: int) -> int:
        return item

    async def group_work(uow: SqlUnitOfWork, items: list[int]) -> list[int]:
        sizes.append(len(items))
        clock[0] += 0.01 * len(items)  # every item costs 10 ms of the store's time
        return items

    committer: GroupCommitter[int, int] = GroupCommitter(
        engine, work, group_work=group_work, max_group=32, max_group_seconds=0.05)
    await committer.start()
    try:
        await asyncio.gather(*[committer.submit(n) for n in range(96)])
    finally:
        await committer.stop()
        await engine.dispose()

    assert sizes[0] == 32
    assert max(sizes[1:]) == 5


async def test_groups_grow_back_once_a_slow_spell_is_over(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(database_url)
    await upgrade_if_empty(engine)
    clock = [0.0]
    monkeypatch.setattr("crm_store.group_commit.time.monotonic", lambda: clock[0])
    item_cost = [0.05]  # a slow spell: every item costs 50 ms of the store's time
    sizes: list[int] = []

    async def work(uow: SqlUnitOfWork, item: int) -> int:
        return item

    async def group_work(uow: SqlUnitOfWork, items: list[int]) -> list[int]:
        sizes.append(len(items))
        clock[0] += item_cost[0] * len(items)
        return items

    committer: GroupCommitter[int, int] = GroupCommitter(
        engine, work, group_work=group_work, max_group=32, max_group_seconds=0.05)
    await committer.start()
    try:
        await asyncio.gather(*[committer.submit(n) for n in range(64)])
        slow_sizes = list(sizes)
        item_cost[0] = 0.0005  # the store is fast again
        sizes.clear()
        for _ in range(10):
            await asyncio.gather(*[committer.submit(n) for n in range(64)])
    finally:
        await committer.stop()
        await engine.dispose()

    assert max(slow_sizes[1:]) <= 2
    assert sizes[-1] == 32
