"""A singleton runs in one process at a time; it moves when its holder dies or loses its link."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from crm_store.engine import asyncpg_dsn
from crm_store.singleton_locks import SingletonLocks
from leads.errors import LockLost


class Loop:
    """A loop body that counts its runs and marks while it is running."""

    def __init__(self) -> None:
        self.running = asyncio.Event()
        self.runs = 0

    async def __call__(self) -> None:
        self.runs += 1
        self.running.set()
        try:
            await asyncio.Future()
        finally:
            self.running.clear()


@asynccontextmanager
async def process(url: str, name: str) -> AsyncIterator[tuple[SingletonLocks, Loop, asyncio.Task]]:
    """One 'process': its lock keeper and a task running the loop `name` whenever it holds it."""
    locks = SingletonLocks(url, identity=f"test {name}", retry_seconds=0.1, timeout_seconds=2)
    keeper = asyncio.create_task(locks.run())
    loop = Loop()

    async def hold_forever() -> None:
        while True:
            with contextlib.suppress(LockLost):
                await locks.run_held("relay", loop)

    task = asyncio.create_task(hold_forever())
    try:
        yield locks, loop, keeper
    finally:
        task.cancel()
        keeper.cancel()
        await asyncio.gather(task, keeper, return_exceptions=True)


async def one_running(*loops: Loop) -> Loop:
    async with asyncio.timeout(10):
        while sum(loop.running.is_set() for loop in loops) != 1:  # noqa: ASYNC110 - two events
            await asyncio.sleep(0.02)
    return next(loop for loop in loops if loop.running.is_set())


async def test_only_one_process_runs_a_singleton_and_both_know_which(postgres_url: str) -> None:
    async with process(postgres_url, "a") as (a, loop_a, _), \
            process(postgres_url, "b") as (b, loop_b, _):
        winner = await one_running(loop_a, loop_b)
        await asyncio.sleep(0.5)

        assert sum(loop.running.is_set() for loop in (loop_a, loop_b)) == 1
        holder = "test a" if winner is loop_a else "test b"
        assert a.holders() == {"relay": holder}
        assert b.holders() == {"relay": holder}


async def test_a_dead_holder_is_replaced_within_seconds(postgres_url: str) -> None:
    async with process(postgres_url, "a") as (_, loop_a, keeper_a):
        await one_running(loop_a)
        async with process(postgres_url, "b") as (_, loop_b, _):
            keeper_a.cancel()  # the holder's connection ends, as when its process is killed
            async with asyncio.timeout(5):
                await loop_b.running.wait()

            assert not loop_a.running.is_set()


async def test_a_holder_that_loses_its_connection_stops_the_loop_and_takes_it_again(
    postgres_url: str,
) -> None:
    async with process(postgres_url, "a") as (locks, loop_a, _):
        await one_running(loop_a)
        admin = await asyncpg.connect(asyncpg_dsn(postgres_url))
        try:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = 'test a' AND datname = current_database()")
            async with asyncio.timeout(2):
                while loop_a.running.is_set():  # noqa: ASYNC110 - waiting for a clear
                    await asyncio.sleep(0.01)
            async with asyncio.timeout(10):
                await loop_a.running.wait()  # it takes the lock again on a new connection
        finally:
            await admin.close()

        assert loop_a.runs == 2
