"""The outbox: messages written in the transaction that caused them, published later by the relay.

Also the notifiers' record of what they handled, so a redelivered message is noticed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    any_,
    bindparam,
    delete,
    func,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from crm_store import direct
from crm_store.bulk import BulkInsert, unsized
from crm_store.outbox_wake import OutboxWake
from crm_store.routing_tables import consumed_messages, outbox
from leads.ports import Announcement

OutboxEntry = Announcement
"""A message as the outbox stores it: (message id, routing key, payload)."""
COLUMNS = ["message_id", "routing_key", "payload", "created_at"]
"""The columns an outbox row is written with (`rows_of`)."""

_INSERT = BulkInsert(outbox, COLUMNS)
_UNSENT = (select(outbox.c.id, outbox.c.message_id, outbox.c.routing_key, outbox.c.payload)
           .where(outbox.c.sent_at.is_(None)).order_by(outbox.c.id))
_UNSENT_IDS = select(outbox.c.id).where(outbox.c.sent_at.is_(None)).order_by(outbox.c.id)
_CLAIMED = (_UNSENT_IDS.limit(bindparam("batch")).with_for_update(skip_locked=True)
            .cte("claimed"))
_OTHERS = outbox.alias("others")
_FIRST_NOT_OURS = (select(func.min(_OTHERS.c.id))
                   .where(_OTHERS.c.sent_at.is_(None), _OTHERS.c.id.not_in(select(_CLAIMED.c.id)))
                   .scalar_subquery())
_CLAIM_MARKING = (
    update(outbox)
    .where(outbox.c.id.in_(select(_CLAIMED.c.id)),
           outbox.c.id < func.coalesce(_FIRST_NOT_OURS, literal(2**63 - 1, BigInteger)))
    .values(sent_at=bindparam("now"))
    .returning(outbox.c.id, outbox.c.message_id, outbox.c.routing_key, outbox.c.payload)
)
_OLDEST_LOCKED = _UNSENT_IDS.limit(1).with_for_update()
# A consumer's batch in one statement prepared once for any number of ids (PostgreSQL), in
# the order given. Built per batch through SQLAlchemy, the insert with its RETURNING was a
# fifth of the notifier consumer's CPU.
_CONSUME_NEW = text(
    "INSERT INTO consumed_messages (consumer, message_id, consumed_at) "
    "SELECT CAST(:consumer AS varchar), handled.id, CAST(:now AS timestamptz) "
    f"FROM unnest({unsized('CAST(:message_ids AS varchar[])')}) WITH ORDINALITY "
    "AS handled(id, n) ORDER BY handled.n "
    "ON CONFLICT DO NOTHING RETURNING consumed_messages.message_id")


class OutboxSignal:
    """Rung after every commit that may have written to the outbox; the relay waits on it.

    Built first and handed to every writer (intake, the desks, the outbox writer) and to the
    relay, so no one has to be rewired after the relay exists.
    """

    def __init__(self, wake: OutboxWake | None = None) -> None:
        self._rung = asyncio.Event()
        self._wake = wake
        self._relay_here = False

    def ring(self) -> None:
        """Something may be new in the outbox (the relay's process is told, wherever it runs)."""
        self._rung.set()
        if self._wake is not None and not self._relay_here:
            self._wake.tell()

    @property
    def listening(self) -> bool:
        """Whether other processes' commits ring here now (the relay runs here, on PostgreSQL)."""
        return self._wake is not None and self._wake.listening

    @contextlib.asynccontextmanager
    async def relaying(self) -> AsyncIterator[None]:
        """While the relay runs in this process: rings stay here, other processes' ring too."""
        self._relay_here = True
        try:
            if self._wake is None:
                yield
            else:
                async with self._wake.listen(self._rung.set):
                    yield
        finally:
            self._relay_here = False

    async def wait(self, at_most: float, linger: float = 0.0) -> None:
        """Wait for a ring (`at_most` seconds) and `linger` seconds more, then forget the rings.

        A ring that came since the last wait returned counts: a commit made while the relay
        was busy with a batch is not left for the next poll. Commits rung while lingering are
        covered by the batch that follows, so they do not wake the relay again.
        """
        if not self._rung.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(at_most):
                    await self._rung.wait()
        if linger > 0 and self._rung.is_set():
            await asyncio.sleep(linger)
        self._rung.clear()


class SqlOutbox:
    """Outbox writes on one connection, inside the caller's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add(self, rows: Sequence[OutboxEntry], now: datetime) -> None:
        """Write messages for the relay."""
        await _INSERT.execute(self.connection, rows_of(rows, now))

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
        await self.connection.execute(update(outbox).where(_chosen(self.connection, ids))
                                      .values(sent_at=now))

    async def unmark(self, ids: Sequence[int]) -> None:
        """Mark rows as unsent again (claimed and marked, then not confirmed)."""
        await self.connection.execute(update(outbox).where(_chosen(self.connection, ids))
                                      .values(sent_at=None))

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

    async def consume_new(self, consumer: str, message_ids: Sequence[str], now: datetime
                          ) -> set[str]:
        """Record that `consumer` handled `message_ids`; those it had not handled before.

        The new rows stay locked until the transaction ends: another consumer handed the same
        message meanwhile waits for this one to commit (then skips it) or to roll back. They
        are written in id order, so two such transactions never wait on each other in a cycle.
        """
        ids = sorted(set(message_ids))
        if not ids:  # a batch of poison messages only: nothing to write
            return set()
        if self.connection.dialect.name == "postgresql":
            rows = await direct.rows(self.connection, _CONSUME_NEW,
                                     {"consumer": consumer, "message_ids": ids, "now": now})
            return {row.message_id for row in rows}
        statement = (sqlite.insert(consumed_messages).on_conflict_do_nothing()
                     .returning(consumed_messages.c.message_id))
        result = await self.connection.execute(statement, [
            {"consumer": consumer, "message_id": message_id, "consumed_at": now}
            for message_id in ids])
        return set(result.scalars())

    async def forget(self, consumer: str, message_ids: Sequence[str]) -> None:
        """Take back the record that `consumer` handled `message_ids` (it failed after all)."""
        await self.connection.execute(delete(consumed_messages).where(
            consumed_messages.c.consumer == consumer,
            consumed_messages.c.message_id.in_(message_ids)))


def rows_of(entries: Sequence[OutboxEntry], now: datetime) -> list[dict[str, Any]]:
    """The outbox rows of `entries` written at `now`, by column (`COLUMNS`)."""
    return [{"message_id": message_id, "routing_key": key, "payload": payload, "created_at": now}
            for message_id, key, payload in entries]


async def unsent(connection: AsyncConnection, limit: int) -> list[Any]:
    """The oldest unsent rows (id, message id, routing key, payload), in the order written."""
    return list(await connection.execute(_UNSENT.limit(limit)))


async def claim_marking(connection: AsyncConnection, limit: int, now: datetime) -> list[Any]:
    """Claim the oldest unsent rows and mark them sent, in one statement; in the order written.

    The rows stay locked until the transaction ends, so no other relay publishes them; the
    caller commits once they are confirmed (or un-marks those that were not). Rows another
    relay holds are skipped (`FOR UPDATE SKIP LOCKED`), and publishing past them would break
    the order per lead: only the claimed rows before the first unsent row that is not ours are
    taken (none when another relay holds the oldest). A row another relay marked sent while
    this statement ran may still look unsent to it: then fewer rows are taken, never wrong ones.
    PostgreSQL only (see `marks_in_claim`).
    """
    rows = await direct.rows(connection, _CLAIM_MARKING, {"batch": limit, "now": now})
    if len(rows) > 1:
        rows.sort(key=_row_id)
    return rows


async def queue_behind_holder(connection: AsyncConnection) -> bool:
    """Lock the oldest unsent row, waiting for the relay that holds it to commit; whether any.

    For a claim that came back empty: if another relay holds the oldest rows, this relay takes
    the next turn the moment that one commits, instead of a poll later (when the other may
    already have claimed again). Returns at once when nothing is unsent. PostgreSQL only.
    """
    return await direct.first(connection, _OLDEST_LOCKED, {}) is not None


def _row_id(row: Any) -> int:
    return int(row.id)


def marks_in_claim(bind: AsyncConnection | AsyncEngine) -> bool:
    """Whether rows are claimed and marked sent in one transaction held over the publish.

    On PostgreSQL (`claim_marking`). On SQLite, one process and no row locks, the rows are
    read (`unsent`) and marked in a transaction of their own afterwards: a write transaction
    held over the publish would stall every other writer, the in-process notifiers among them.
    """
    return bind.dialect.name == "postgresql"


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


def _chosen(connection: AsyncConnection, ids: Sequence[int]) -> Any:
    """Rows by id; on PostgreSQL one statement prepared for any count."""
    if connection.dialect.name == "postgresql":
        return outbox.c.id == any_(literal(list(ids), postgresql.ARRAY(BigInteger)))
    return outbox.c.id.in_(ids)


def _dialect(connection: AsyncConnection) -> Any:
    return postgresql if connection.dialect.name == "postgresql" else sqlite
