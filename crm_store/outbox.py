"""The outbox: messages written in the transaction that caused them, published later by the relay.

Also the notifiers' record of what they handled, so a redelivered message is noticed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.routing_tables import consumed_messages, outbox

OutboxEntry = tuple[str, str, dict[str, Any]]
"""A message as the outbox stores it: (message id, routing key, payload)."""

_INSERT = insert(outbox)


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
        """Forget earlier rings, then wait for the next one (`at_most` seconds)."""
        self._rung.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(at_most):
                await self._rung.wait()


class SqlOutbox:
    """Outbox writes on one connection, inside the caller's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add(self, rows: Sequence[OutboxEntry], now: datetime) -> None:
        """Write messages for the relay."""
        await self.connection.execute(_INSERT, [
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
        """Mark rows as published."""
        await self.connection.execute(
            update(outbox).where(outbox.c.id.in_(ids)).values(sent_at=now))

    async def consume_once(self, consumer: str, message_id: str, now: datetime) -> bool:
        """Record that `consumer` handled `message_id`; False if it already had."""
        statement = _dialect(self.connection).insert(consumed_messages).on_conflict_do_nothing()
        result = await self.connection.execute(
            statement, {"consumer": consumer, "message_id": message_id, "consumed_at": now}
        )
        return bool(result.rowcount)


async def unsent(connection: AsyncConnection, limit: int) -> list[Any]:
    """The oldest unsent rows (id, message id, routing key, payload), in the order written."""
    return list(await connection.execute(
        select(outbox.c.id, outbox.c.message_id, outbox.c.routing_key, outbox.c.payload)
        .where(outbox.c.sent_at.is_(None)).order_by(outbox.c.id).limit(limit)
    ))


async def unsent_count(connection: AsyncConnection) -> int:
    """How many rows wait for the relay."""
    return int(await connection.scalar(
        select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))) or 0)


async def consumed(connection: AsyncConnection, consumer: str, message_id: str) -> bool:
    """Whether `consumer` handled `message_id` before."""
    return await connection.scalar(select(consumed_messages.c.message_id).where(
        consumed_messages.c.consumer == consumer,
        consumed_messages.c.message_id == message_id)) is not None


def _dialect(connection: AsyncConnection) -> Any:
    return postgresql if connection.dialect.name == "postgresql" else sqlite
