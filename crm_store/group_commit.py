"""Group commit: many intake events share one transaction, each sender answered after commit.

A writer takes whatever is queued (up to `max_group`, and no more than `crm_store.group_sizing`
says the next group may take: a store slow per item gets smaller groups rather than longer
waits, a store slow per transaction does not) and commits it as one transaction. It does not
wait for more, except that a lone item may wait `linger_seconds` for company while such waits
have been bringing some (`crm_store.group_linger`): one at a time, nothing waits but a rare
probe.
If that transaction fails (a unique conflict with another writer or process, a bad row), the
group is rolled back and each event is retried alone, so one event's failure never fails its
neighbours. Unique conflicts are retried: the second attempt sees the row the other writer
committed (that is how dedup stays correct under concurrency without in-process locks).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.group_linger import Linger
from crm_store.group_sizing import GroupSizer
from crm_store.uow import SqlUnitOfWork
from leads.errors import EventRefused, StoreUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")
Work = Callable[[SqlUnitOfWork, T], Awaitable[R]]
GroupWork = Callable[[SqlUnitOfWork, list[T]], Awaitable[list[R]]]

_CONFLICT_RETRIES = 8


class GroupCommitter(Generic[T, R]):
    """Runs `work(uow, item)` for submitted items, committing them in groups.

    `group_work(uow, items)`, when given, does a whole group at once (it must give the same
    results as `work` item by item); `work` alone serves the one-by-one retry.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        work: Work[T, R],
        *,
        group_work: GroupWork[T, R] | None = None,
        writers: int = 1,
        max_group: int = 64,
        max_group_seconds: float = 0.05,
        linger_seconds: float = 0.0,
        max_queued: int = 10_000,
    ) -> None:
        self._engine = engine
        self._work = work
        self._group_work = group_work
        self._writers = writers
        self._sizer = GroupSizer(max_group, max_group_seconds)
        self.linger = Linger(linger_seconds)
        # One writer gathers a group at a time: a lone item waiting for company gets the next
        # arrival, not another writer that would commit it alone.
        self._gathering = asyncio.Lock()
        self.groups = 0
        """Transactions committed with their group whole (the one-by-one retries not counted)."""
        self.grouped = 0
        """Items committed in those transactions: `grouped / groups` is the mean group size."""
        # An entry is one caller's items: a batch handed over together is never split.
        self._queue: asyncio.Queue[list[tuple[T, asyncio.Future[R]]]] = asyncio.Queue(max_queued)
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Start the writer tasks."""
        for number in range(self._writers):
            self._tasks.append(asyncio.create_task(self._write_forever(), name=f"writer-{number}"))

    async def stop(self) -> None:
        """Stop the writers; items queued, waiting or committing fail with StoreUnavailable."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        while not self._queue.empty():
            _fail_all(self._queue.get_nowait(), StoreUnavailable("the service is shutting down"))

    async def submit(self, item: T) -> R:
        """Queue `item` and return its result once its group has committed."""
        return await asyncio.shield((await self._enqueue([item]))[0])

    async def submit_all(self, items: list[T]) -> list[R | BaseException]:
        """Queue `items` to commit in one group; each one's result or error, in order."""
        futures = await self._enqueue(items) if items else []
        return await asyncio.shield(asyncio.gather(*futures, return_exceptions=True))

    async def _enqueue(self, items: list[T]) -> list[asyncio.Future[R]]:
        if not self._tasks:
            raise StoreUnavailable("the store writer is not running")
        loop = asyncio.get_running_loop()
        entry = [(item, loop.create_future()) for item in items]
        await self._queue.put(entry)
        self.linger.arrived(loop.time())
        return [future for _, future in entry]

    async def _write_forever(self) -> None:
        while True:
            group: list[tuple[T, asyncio.Future[R]]] = []
            try:
                async with self._gathering:
                    await self._gather(group)
                started = time.monotonic()
                whole = await self._commit_group(group)
            except asyncio.CancelledError:
                # Stopping while a group waits for company or commits: its senders get an answer
                # rather than none. If the commit did go through, a sender that retries meets
                # the case of a lost answer.
                _fail_all(group, StoreUnavailable("the service is shutting down"))
                raise
            except Exception as err:  # never let one group kill the writer
                # The message may quote row values (phones, e-mails): details only at DEBUG.
                log.error("group commit failed unexpectedly: %s", type(err).__name__)
                log.debug("group commit failure", exc_info=True)
                _fail_all(group, err)
                continue
            if whole:
                # A group retried one by one took many transactions: it says nothing of one.
                self._sizer.learn(len(group), time.monotonic() - started)
                self.groups += 1
                self.grouped += len(group)

    async def _gather(self, group: list[tuple[T, asyncio.Future[R]]]) -> None:
        """Fill `group` with what is queued, up to the limit; a lone item may wait for company."""
        group.extend(await self._queue.get())
        limit = self._sizer.limit()
        self._take_queued(group, limit)
        if len(group) == 1 < limit and self.linger.wait_for_lone_item():
            await self._add_arrivals(group, limit)
            self.linger.learn(company=len(group) > 1)

    async def _add_arrivals(self, group: list[tuple[T, asyncio.Future[R]]], limit: int) -> None:
        """Add to `group` what arrives, up to `limit`, until the wait's deadline or a pause."""
        loop = asyncio.get_running_loop()
        last = loop.time()
        deadline = last + self.linger.seconds
        while len(group) < limit:
            try:
                async with asyncio.timeout_at(min(deadline, last + self.linger.pause())):
                    group.extend(await self._queue.get())
            except TimeoutError:
                return
            last = loop.time()
            self._take_queued(group, limit)

    def _take_queued(self, group: list[tuple[T, asyncio.Future[R]]], limit: int) -> None:
        """Add to `group` what is queued now, up to `limit` (a batch is never split)."""
        while len(group) < limit and not self._queue.empty():
            group.extend(self._queue.get_nowait())

    async def _commit_group(self, group: list[tuple[T, asyncio.Future[R]]]) -> bool:
        """Commit `group`; True if it took one transaction, False if it was retried one by one."""
        if len(group) > 1:
            try:
                async with SqlUnitOfWork(self._engine) as uow:
                    results = await self._run_group(uow, [item for item, _ in group])
                    await uow.commit()
            except Exception:
                log.debug("group of %d failed; retrying one by one", len(group), exc_info=True)
            else:
                for (_, future), result in zip(group, results, strict=True):
                    _resolve(future, result)
                return True
        whole = len(group) == 1
        for item, future in group:
            try:
                _resolve(future, await self._commit_one(item))
            except Exception as err:
                whole = False
                if not future.done():
                    future.set_exception(err)
        return whole

    async def _run_group(self, uow: SqlUnitOfWork, items: list[T]) -> list[R]:
        if self._group_work is not None:
            return await self._group_work(uow, items)
        return [await self._work(uow, item) for item in items]

    async def _commit_one(self, item: T) -> R:
        for attempt in range(_CONFLICT_RETRIES):
            try:
                async with SqlUnitOfWork(self._engine) as uow:
                    result = await self._work(uow, item)
                    await uow.commit()
                    return result
            except IntegrityError:
                if attempt == _CONFLICT_RETRIES - 1:
                    raise
            except (OperationalError, DBAPIError, OSError, UnicodeError) as err:
                if _is_data_error(err):
                    # The same bytes will be refused every time: retrying (or a 503 that makes
                    # the sender retry) would lose the contact slowly instead of saying so.
                    log.warning("the database refused an event: %s", type(err).__name__)
                    raise EventRefused("the store cannot hold this event as sent") from err
                if _is_busy(err) and attempt < _CONFLICT_RETRIES - 1:
                    await asyncio.sleep(0.05 * (attempt + 1))
                    continue
                raise StoreUnavailable(
                    f"the database did not take the write: {type(err).__name__}"
                ) from err
        raise AssertionError("unreachable")


def _is_data_error(err: Exception) -> bool:
    """A refusal of the data itself (SQLSTATE class 22), not of the connection or the load."""
    if isinstance(err, DataError | UnicodeError):
        return True
    orig = getattr(err, "orig", None)
    for candidate in (orig, getattr(orig, "__cause__", None)):
        state = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if isinstance(state, str) and state.startswith("22"):
            return True
    return False


def _is_busy(err: Exception) -> bool:
    text = str(err).lower()
    return "database is locked" in text or "deadlock" in text or "could not serialize" in text


def _resolve(future: asyncio.Future[R], result: R) -> None:
    if not future.done():
        future.set_result(result)


def _fail_all(group: list[tuple[T, asyncio.Future[R]]], err: Exception) -> None:
    for _, future in group:
        if not future.done():
            future.set_exception(err)
