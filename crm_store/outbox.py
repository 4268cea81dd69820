"""The outbox: messages written in the transaction that caused them, published later by the relay.

Also the notifiers' record of what they handled, so a redelivered message is noticed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, any_, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.bulk import BulkInsert
from crm_store.routing_tables import consumed_messages, outbox

OutboxEntry = tuple[str, str, dict[str, Any]]
"""A message as the outbox stores it: (message id, routing key, payload)."""

_INSERT = BulkInsert(outbox, ["message_id", "routing_key", "payload", "created_at"])
_UNSENT = (select(outbox.c.id, outbox.c.message_id, outbox.c.routing_key, outbox.c.payload)
           .where(outbox.c.sent_at.is_(None)).order_by(outbox.c.id))
_CLAIM = _UNSENT.with_for_update(skip_locked=True)
_WAITING = select(outbox.c.id).where(outbox.c.sent_at.is_(None)).order_by(outbox.c.id)


class OutboxSignal:
    """Rung after every commit that may have written to the outbox; the relay waits on it.

    Built first and handed to every writer (intake, the desks, the outbox writer) and to the
    relay, so no one has to be rewired after the relay exists.
    """

    def __init__(self) -> None:
        self._rung = asyncio.Event()

    def ring(self) -> None:
        """Something may be new in the outbox."""
        self._rung.set()

    async def wait(self, at_most: float) -> None:
        """Wait for a ring (`at_most` seconds), then forget it.

        A ring that came since the last wait returned counts: a commit made while the relay
        was busy with a batch is not left for the next poll.
        """
        if not self._rung.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(at_most):
                    await self._rung.wait()
        self._rung.clear()


class SqlOutbox:
    """Outbox writes on one connection, inside the caller's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add(self, rows: Sequence[OutboxEntry], now: datetime) -> None:
        """Write messages for the relay."""
        await _INSERT.execute(self.connection, [
            {"message_id": m, "routing_key": key, "payload": payload, "created_at": now}
            for m, key, payload in rows
        ])

    async def add_once(self, row: OutboxEntry, now: datetime) -> None:
        """Write one message unless its message id was written before."""
        message_id, routing_key, payload = row
        await self.connection.execute(_dialect(self.connection).insert(outbox)
                                      .on_conflict_do_nothing(index_elements=["message_id"]), {
            "message_id": message_id, "routing_key": routing_key, "payload": payload,
            "created_at": now,
        })

    async def mark_sent(self, ids: Sequence[int], now: datetime) -> None:
        """Mark rows as published, in one statement (on PostgreSQL one prepared for any count)."""
        if self.connection.dialect.name == "postgresql":
            chosen = outbox.c.id == any_(literal(list(ids), postgresql.ARRAY(BigInteger)))
        else:
            chosen = outbox.c.id.in_(ids)
        await self.connection.execute(update(outbox).where(chosen).values(sent_at=now))

    async def consume_once(self, consumer: str, message_id: str, now: datetime) -> bool:
        """Record that `consumer` handled `message_id`; False if it already had."""
        statement = _dialect(self.connection).insert(consumed_messages).on_conflict_do_nothing()
        result = await self.connection.execute(
            statement, {"consumer": consumer, "message_id": message_id, "consumed_at": now}
        )
        return bool(result.rowcount)

    async def consume_many(self, consumer: str, message_ids: Sequence[str], now: datetime
                           ) -> None:
        """Record that `consumer` handled each of `message_ids` (those it had already, kept)."""
        statement = _dialect(self.connection).insert(consumed_messages).on_conflict_do_nothing()
        await self.connection.execute(statement, [
            {"consumer": consumer, "message_id": message_id, "consumed_at": now}
            for message_id in message_ids])


async def unsent(connection: AsyncConnection, limit: int) -> list[Any]:
    """The oldest unsent rows (id, message id, routing key, payload), in the order written."""
    return list(await connection.execute(_UNSENT.limit(limit)))


async def claim(connection: AsyncConnection, limit: int) -> list[Any]:
    """The oldest unsent rows, locked for this transaction so no other relay publishes them.

    Rows another relay holds are skipped (`FOR UPDATE SKIP LOCKED`), and publishing past them
    would break the order per lead: only the claimed rows before the first unsent row that is
    not ours are kept (none when another relay holds the oldest). That row is looked for in a
    snapshot taken after the claim, where rows another relay marked sent meanwhile are gone.
    SQLite has one process and no row locks: there this is a plain read.
    """
    if connection.dialect.name != "postgresql":
        return await unsent(connection, limit)
    rows = list(await connection.execute(_CLAIM.limit(limit)))
    if not rows:
        return rows
    waiting = await connection.scalars(_WAITING.where(outbox.c.id <= rows[-1].id))
    kept = 0
    for waiting_id, row in zip(waiting, rows, strict=False):
        if waiting_id != row.id:
            break
        kept += 1
    return rows[:kept]


def marks_in_claim(connection: AsyncConnection) -> bool:
    """Whether sent rows are marked in the claiming transaction (PostgreSQL) or after it.

    On SQLite a read transaction that later writes fails when another writer committed
    meanwhile, so the relay marks its rows in a transaction of their own.
    """
    return connection.dialect.name == "postgresql"


async def unsent_count(connection: AsyncConnection) -> int:
    """How many rows wait for the relay."""
    return int(await connection.scalar(
        select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))) or 0)


async def consumed_among(connection: AsyncConnection, consumer: str,
                         message_ids: Sequence[str]) -> set[str]:
    """Which of `message_ids` `consumer` handled before, in one statement."""
    return set(await connection.scalars(select(consumed_messages.c.message_id).where(
        consumed_messages.c.consumer == consumer,
        consumed_messages.c.message_id.in_(message_ids))))


def _dialect(connection: AsyncConnection) -> Any:
    return postgresql if connection.dialect.name == "postgresql" else sqlite
