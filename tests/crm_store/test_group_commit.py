"""Group commit answers each sender after commit, and one bad event never fails its group."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from crm_store.engine import create_engine
from crm_store.group_commit import GroupCommitter
from crm_store.migrate import upgrade_if_empty
from crm_store.uow import SqlUnitOfWork
from leads.errors import EventRefused, StoreUnavailable
from leads.model import utcnow
from tests.store_counts import row_counts


async def _create_unless_bad(uow: SqlUnitOfWork, name: str) -> int:
    if name == "bad":
        raise ValueError("this one is broken")
    return await uow.intake.create_customer(name, utcnow())


async def test_a_failing_event_fails_alone_and_its_group_still_commits(database_url: str) -> None:
    engine = create_engine(database_url)
    await upgrade_if_empty(engine)

    committer: GroupCommitter[str, int] = GroupCommitter(engine, _create_unless_bad, max_group=16)
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


class _TimedStore:
    """A store whose transaction costs `fixed_cost` and every item `item_cost` seconds of a fake
    clock (a group of one alike); records group sizes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, item_cost: float,
                 fixed_cost: float = 0.0) -> None:
        self.item_cost = item_cost
        self.fixed_cost = fixed_cost
        self.sizes: list[int] = []
        self._now = 0.0
        monkeypatch.setattr("crm_store.group_commit.time.monotonic", lambda: self._now)

    async def work(self, uow: SqlUnitOfWork, item: int) -> int:
        return (await self.group_work(uow, [item]))[0]

    async def group_work(self, uow: SqlUnitOfWork, items: list[int]) -> list[int]:
        self.sizes.append(len(items))
        self._now += self.fixed_cost + self.item_cost * len(items)
        return items


@asynccontextmanager
async def _committer(database_url: str, store: _TimedStore | _Recorder, **options: Any
                     ) -> AsyncIterator[GroupCommitter[int, int]]:
    engine = create_engine(database_url)
    await upgrade_if_empty(engine)
    committer: GroupCommitter[int, int] = GroupCommitter(
        engine, store.work, group_work=store.group_work,
        **({"max_group": 32, "max_group_seconds": 0.05} | options))
    await committer.start()
    try:
        yield committer
    finally:
        await committer.stop()
        await engine.dispose()


async def test_groups_shrink_to_what_fits_the_latency_budget_when_items_are_slow(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _TimedStore(monkeypatch, item_cost=0.01)  # every item costs 10 ms of the store's time
    async with _committer(database_url, store) as committer:
        await asyncio.gather(*[committer.submit(n) for n in range(96)])

    assert store.sizes[0] == 32
    assert max(store.sizes[1:]) == 5


async def test_groups_grow_back_once_a_slow_spell_is_over(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _TimedStore(monkeypatch, item_cost=0.05)  # a slow spell: 50 ms per item
    async with _committer(database_url, store) as committer:
        await asyncio.gather(*[committer.submit(n) for n in range(64)])
        slow_sizes = list(store.sizes)
        store.item_cost = 0.0005  # the store is fast again
        store.sizes.clear()
        for _ in range(10):
            await asyncio.gather(*[committer.submit(n) for n in range(64)])

    assert max(slow_sizes[1:]) <= 2
    assert store.sizes[-1] == 32


async def test_a_batch_handed_over_together_commits_as_one_group_even_in_a_slow_spell(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _TimedStore(monkeypatch, item_cost=0.05)  # the budget fits one item per group
    async with _committer(database_url, store) as committer:
        await asyncio.gather(*[committer.submit(n) for n in range(8)])
        store.sizes.clear()
        results = await committer.submit_all(list(range(20)))

    assert store.sizes == [20]
    assert results == list(range(20))
    assert (committer.groups, committer.grouped) == (2, 28)


async def test_a_failing_item_of_a_batch_is_its_own_outcome_and_the_rest_commit(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    await upgrade_if_empty(engine)

    committer: GroupCommitter[str, int] = GroupCommitter(engine, _create_unless_bad, max_group=16)
    await committer.start()
    try:
        results = await committer.submit_all(["a", "bad", "b"])
        counts = await row_counts(engine)
    finally:
        await committer.stop()
        await engine.dispose()

    assert isinstance(results[1], ValueError)
    assert all(isinstance(r, int) for r in (results[0], results[2]))
    assert counts["customers"] == 2


async def test_a_store_slow_per_transaction_keeps_whole_groups_under_a_backlog(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A busy machine: each transaction costs more than the whole budget, each item next to
    # nothing. Smaller groups would not fit the budget either, only pay the fixed part again.
    store = _TimedStore(monkeypatch, item_cost=0.0005, fixed_cost=0.08)
    async with _committer(database_url, store) as committer:
        await asyncio.gather(*[committer.submit(n) for n in range(320)])

    assert len(store.sizes) <= 12
    assert store.sizes[-2] == 32


async def test_groups_of_one_that_overrun_the_budget_grow_once_the_cost_is_per_transaction(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _TimedStore(monkeypatch, item_cost=0.05)  # a slow spell: one item fills the budget
    async with _committer(database_url, store) as committer:
        await asyncio.gather(*[committer.submit(n) for n in range(64)])
        store.item_cost, store.fixed_cost = 0.0005, 0.08  # now a busy machine, as above
        store.sizes.clear()
        for _ in range(10):
            await asyncio.gather(*[committer.submit(n) for n in range(64)])
        store.sizes.clear()
        await asyncio.gather(*[committer.submit(n) for n in range(64)])

    assert store.sizes == [32, 32]


async def test_groups_of_a_store_slow_per_item_fit_the_budget_net_of_the_fixed_part(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _TimedStore(monkeypatch, item_cost=0.01, fixed_cost=0.01)  # 4 items fit 50 ms
    async with _committer(database_url, store) as committer:
        await asyncio.gather(*[committer.submit(n) for n in range(64)])

    assert store.sizes[0] == 32
    assert max(store.sizes[1:]) == 4


class _Recorder:
    """A store that commits nothing of its own; records the size of every group."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    async def work(self, uow: SqlUnitOfWork, item: int) -> int:
        return (await self.group_work(uow, [item]))[0]

    async def group_work(self, uow: SqlUnitOfWork, items: list[int]) -> list[int]:
        self.sizes.append(len(items))
        return items


async def test_items_submitted_one_at_a_time_each_commit_alone_and_waiting_stays_off(
    database_url: str,
) -> None:
    store = _Recorder()
    async with _committer(database_url, store, writers=2, linger_seconds=0.05) as committer:
        results = [await committer.submit(n) for n in range(140)]  # the 128th one probes

    assert results == list(range(140))
    assert store.sizes == [1] * 140
    assert not committer.linger.waiting


async def test_items_arriving_while_a_lone_item_waits_share_its_transaction(
    database_url: str,
) -> None:
    store = _Recorder()
    async with _committer(database_url, store, writers=2, linger_seconds=0.5) as committer:
        committer.linger.learn(company=True)  # as after a steady stream: lone items wait
        first = asyncio.create_task(committer.submit(0))
        await asyncio.sleep(0.01)  # the first is taken and waits; the other writer is idle
        results = await asyncio.gather(first, committer.submit(1), committer.submit(2))

    assert results == [0, 1, 2]
    assert store.sizes == [3]
    assert committer.linger.waiting


async def test_stopping_fails_a_lone_item_waiting_for_company_as_unavailable(
    database_url: str,
) -> None:
    store = _Recorder()
    async with _committer(database_url, store, writers=2, linger_seconds=3600) as committer:
        committer.linger.learn(company=True)
        waiting = asyncio.create_task(committer.submit(0))
        await asyncio.sleep(0.01)
        await committer.stop()
        # The guard only keeps a broken stop from hanging the run; it is no measure of speed.
        outcome = await asyncio.wait_for(asyncio.gather(waiting, return_exceptions=True), 30)

    assert isinstance(outcome[0], StoreUnavailable)
    assert store.sizes == []


async def test_stopping_fails_a_group_that_is_still_committing_as_unavailable(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    started, never = asyncio.Event(), asyncio.Event()

    async def slow(uow: SqlUnitOfWork, item: int) -> int:
        started.set()
        await never.wait()  # a commit that outlives the service
        return item

    committer: GroupCommitter[int, int] = GroupCommitter(engine, slow)
    await committer.start()
    try:
        committing = asyncio.create_task(committer.submit(0))
        await started.wait()
        await committer.stop()
        # The guard only keeps a broken stop from hanging the run; it is no measure of speed.
        outcome = await asyncio.wait_for(asyncio.gather(committing, return_exceptions=True), 30)
    finally:
        await engine.dispose()

    assert isinstance(outcome[0], StoreUnavailable)
