"""Outbox commits in one process wake the relay another process holds (PostgreSQL NOTIFY/LISTEN).

Within a process the outbox signal wakes the relay at once. A process that does not hold the
relay sends a NOTIFY after its commit, and the relay LISTENs while it runs; without that, rows
written elsewhere wait for the relay's poll. A notification lost costs no more than that wait.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.engine import asyncpg_dsn

log = logging.getLogger(__name__)
CHANNEL = "leadgate_outbox"


class OutboxWake:
    """Tells the relay's process of a commit, and lets the relay hear the others' commits."""

    def __init__(self, engine: AsyncEngine, database_url: str, timeout: float = 10.0) -> None:
        self._engine = engine
        self._dsn = asyncpg_dsn(database_url)
        self._timeout = timeout
        self._sending: asyncio.Task[None] | None = None
        self._again = False
        self.listening = False
        """Whether this process hears the others' commits now."""

    def tell(self) -> None:
        """NOTIFY the relay soon; commits while one is on its way make one more, not one each."""
        if self._sending is not None and not self._sending.done():
            self._again = True
            return
        self._sending = asyncio.get_running_loop().create_task(self._send())

    async def _send(self) -> None:
        self._again = True
        while self._again:
            self._again = False
            try:
                async with self._engine.connect() as conn:
                    raw = await conn.get_raw_connection()
                    # Outside any transaction: one round trip, delivered at once.
                    await raw.driver_connection.execute(f"NOTIFY {CHANNEL}")  # type: ignore[union-attr]
            except (OSError, TimeoutError, asyncpg.PostgresError, SQLAlchemyError) as err:
                log.debug("outbox wake not sent: %s", type(err).__name__)
                return

    @asynccontextmanager
    async def listen(self, heard: Callable[[], None]) -> AsyncIterator[None]:
        """Call `heard` on every other process's commit while in the block (best effort)."""
        try:
            connection = await asyncpg.connect(self._dsn, timeout=self._timeout)
            await connection.add_listener(CHANNEL, lambda *_: heard())
        except (OSError, TimeoutError, asyncpg.PostgresError) as err:
            log.warning("outbox relay: no LISTEN (%s); other processes' rows wait for the poll",
                        type(err).__name__)
            yield
            return
        self.listening = True
        try:
            yield
        finally:
            self.listening = False
            connection.terminate()
