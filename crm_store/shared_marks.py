"""What every process of a cluster must remember alike, kept in the database.

`SqlOnceMarks` says yes once per key in the whole cluster (one acknowledgement per lead);
`SqlRecentMarks` counts the distinct items marked under a key within a time window (the mails of
one sender, for the mail-loop guard). Both live in `consumed_messages`: the scope is the consumer,
the key's digest joins it, the item is the message id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.routing_tables import consumed_messages
from crm_store.uow import SqlUnitOfWork
from leads.errors import StoreUnavailable
from leads.model import utcnow

_PRUNE_EVERY = 500


def _digest(text: str, size: int = 40) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:size]


class SqlOnceMarks:
    """Marks made once per key across every process; StoreUnavailable if the store is down."""

    def __init__(self, engine: AsyncEngine, scope: str) -> None:
        self._engine = engine
        self._scope = scope[:100]

    async def first(self, key: str) -> bool:
        """Mark `key`; True only for the first mark of it in the cluster."""
        try:
            async with SqlUnitOfWork(self._engine) as uow:
                first = await uow.routing.outbox.consume_once(self._scope, key[:200], utcnow())
                await uow.commit()
            return first
        except (DBAPIError, OSError) as err:
            raise StoreUnavailable(f"marks unavailable: {type(err).__name__}") from err


class SqlRecentMarks:
    """Distinct items per key within a window, counted across every process."""

    def __init__(self, engine: AsyncEngine, scope: str) -> None:
        self._engine = engine
        self._scope = scope[:50]
        self._calls = 0

    async def count(self, key: str, item: str, at: datetime, window: timedelta) -> int:
        """Mark `item` under `key` (once) and count the key's items since `at - window`."""
        return (await self.count_all([(key, item)], at, window))[0]

    async def count_all(self, marks: Sequence[tuple[str, str]], at: datetime,
                        window: timedelta) -> list[int]:
        """`count` of each (key, item) in turn, all in one transaction (a batch of mail)."""
        try:
            async with SqlUnitOfWork(self._engine) as uow:
                counts = [await self._count(uow, key, item, at, window) for key, item in marks]
                await uow.commit()
            return counts
        except (DBAPIError, OSError) as err:
            raise StoreUnavailable(f"marks unavailable: {type(err).__name__}") from err

    async def _count(self, uow: SqlUnitOfWork, key: str, item: str, at: datetime,
                     window: timedelta) -> int:
        consumer = f"{self._scope}:{_digest(key.lower())}"
        marks = consumed_messages.c
        self._calls += 1
        conn = uow.connection
        await uow.routing.outbox.consume_once(consumer, _digest(item, 64), at)
        stale = marks.consumed_at < at - window
        await conn.execute(delete(consumed_messages).where(stale, marks.consumer == consumer))
        if self._calls % _PRUNE_EVERY == 0:  # keys that went quiet
            await conn.execute(delete(consumed_messages).where(
                stale, marks.consumer.startswith(f"{self._scope}:")))
        return int(await conn.scalar(select(func.count()).where(marks.consumer == consumer)) or 0)
