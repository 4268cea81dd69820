"""The outbox relay: publishes what intake and routing wrote to the outbox, in order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store import outbox
from crm_store.outbox import OutboxSignal
from crm_store.uow import SqlUnitOfWork
from leads.errors import ChannelUnavailable
from leads.model import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One message waiting in the outbox."""

    id: int
    message_id: str
    routing_key: str
    payload: dict[str, Any]


class Publisher(Protocol):
    """Where the relay sends messages: RabbitMQ, or the in-process notifiers."""

    async def connect(self) -> None:
        """Get ready to publish (declare the broker topology); ChannelUnavailable if it can't."""
        ...

    async def publish(self, rows: Sequence[OutboxRow]) -> list[int]:
        """Deliver the rows; the ids that were taken (the rest are retried)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class OutboxRelay:
    """Moves outbox rows to the publisher; woken after each commit, polling as a fallback."""

    name = "outbox"

    def __init__(self, engine: AsyncEngine, publisher: Publisher, signal: OutboxSignal,
                 batch: int = 500, poll_seconds: float = 0.25, linger_seconds: float = 0.02,
                 retry: tuple[float, float] = (0.5, 5.0),
                 report: Callable[[str, str], None] = lambda state, detail: None) -> None:
        self._engine = engine
        self._publisher = publisher
        self._signal = signal
        self._batch = batch
        self._poll = poll_seconds
        # After a ring, the commits of the next few milliseconds join its batch: one claim, one
        # publish and one commit for several leads where each cost its own, for a delay no
        # manager can notice. 20 ms, not 5: at one lead at a time (a lead every 4-5 ms) 5 ms
        # still cost a relay cycle per 1.6 leads, 20 ms one per 5; that took 0.38 ms of
        # Leadgate's CPU and 0.2 ms of PostgreSQL's off each lead. 50 ms made the batches
        # long enough to show in the response times of a steady 300 leads/s (p99 20 -> 46 ms).
        self._linger = linger_seconds
        self._first_retry, self._max_retry = retry
        self._report = report
        self.published = 0
        """Messages confirmed so far: `leadgate_outbox_published_total` on /metrics."""

    async def run(self) -> None:
        """Relay forever; a broker outage is waited out with backoff while the outbox grows."""
        try:
            async with self._signal.relaying():
                await self._relay()
        finally:
            await self._publisher.close()

    async def _relay(self) -> None:
        delay = self._first_retry
        connected = reported = False
        while True:
            try:
                if not connected:
                    await self._publisher.connect()
                    connected = True
                moved = await self.relay_once()
            except ChannelUnavailable as err:
                self._report("down", str(err))
                reported = False
                log.warning("outbox relay paused: %s; retrying in %.1f s", err, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._max_retry)
                continue
            if not reported:
                self._report("ok", "connected")
                reported = True
            delay = self._first_retry
            if moved < self._batch:  # all there was is out: wait for the next commit
                await self._signal.wait(self._poll, self._linger)

    async def relay_once(self) -> int:
        """Publish one batch of the oldest unsent rows; how many were confirmed.

        On PostgreSQL the rows are claimed and marked sent in one statement and stay locked
        until the commit after their confirms, so a second relay (a process that has not yet
        noticed it lost the relay's lock) never publishes them too; those not confirmed are
        un-marked before that commit.
        """
        if outbox.marks_in_claim(self._engine):
            rows, confirmed = await self._claim_publish_commit()
        else:
            rows, confirmed = await self._read_publish_mark()
        self.published += len(confirmed)
        if len(confirmed) < len(rows):
            raise ChannelUnavailable(f"{len(rows) - len(confirmed)} messages were not confirmed")
        return len(confirmed)

    async def _claim_publish_commit(self) -> tuple[list[OutboxRow], list[int]]:
        """PostgreSQL: claim and mark, publish, un-mark what was not confirmed, commit.

        A claim that finds the oldest rows held by another relay queues behind that relay's
        commit, then claims again: two relays at once take turns instead of one starving.
        """
        async with SqlUnitOfWork(self._engine) as uow:
            claimed = await outbox.claim_marking(uow.connection, self._batch, utcnow())
            if not claimed and await outbox.queue_behind_holder(uow.connection):
                claimed = await outbox.claim_marking(uow.connection, self._batch, utcnow())
            rows = [OutboxRow(*row) for row in claimed]
            confirmed = await self._publisher.publish(rows) if rows else []
            if len(confirmed) < len(rows):
                taken = set(confirmed)
                await uow.routing.outbox.unmark([row.id for row in rows if row.id not in taken])
            # Also when nothing was claimed: it ends the transaction as a rollback would.
            await uow.commit()
        return rows, confirmed

    async def _read_publish_mark(self) -> tuple[list[OutboxRow], list[int]]:
        """SQLite: read, publish, then mark what was confirmed in a transaction of its own."""
        async with self._engine.connect() as conn:
            rows = [OutboxRow(*row) for row in await outbox.unsent(conn, self._batch)]
        if not rows:
            return rows, []
        confirmed = await self._publisher.publish(rows)
        if confirmed:
            async with SqlUnitOfWork(self._engine) as uow:
                await uow.routing.outbox.mark_sent(confirmed, utcnow())
                await uow.commit()
        return rows, confirmed


class OutboxWriter:
    """Writes one message to the outbox in its own transaction (screen pops and other events)."""

    def __init__(self, engine: AsyncEngine, signal: OutboxSignal) -> None:
        self._engine = engine
        self._signal = signal

    async def __call__(self, routing_key: str, payload: dict[str, Any], message_id: str) -> None:
        """Queue the message for the relay; the same `message_id` twice is written once."""
        async with SqlUnitOfWork(self._engine) as uow:
            await uow.routing.outbox.add_once((message_id, routing_key, payload), utcnow())
            await uow.commit()
        self._signal.ring()
