"""Cluster singletons: PostgreSQL advisory locks, held on one connection outside the pool.

A loop that must run once in the cluster (the outbox relay, the SLA desk, the AMI connection,
each IMAP mailbox, each polling bot) is named; its name hashes to an advisory lock key. Each
process keeps one connection of its own for these locks (a pooled connection would carry a
session lock away to whoever borrows it next). Whoever holds a key runs its loop; the others
try again every `retry_seconds`. A holder that dies closes its connection and PostgreSQL frees
its locks at once. A holder that loses its connection (database restart, network) stops its
loops at once: asyncpg reports a closed connection immediately, and a silent one fails the
heartbeat within `timeout_seconds`, well before the server's keepalive (about 11 s) drops the
session and lets another process in.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.engine import asyncpg_dsn
from leads.errors import LockLost

log = logging.getLogger(__name__)
T = TypeVar("T")

_TRY = "SELECT k, pg_try_advisory_lock(k) FROM unnest($1::bigint[]) AS k"
_UNLOCK = "SELECT pg_advisory_unlock($1)"
# Single-bigint advisory locks show in pg_locks with the key split in two oids (objsubid 1).
_HOLDERS = """
SELECT (l.classid::bigint << 32) | l.objid::bigint AS k, a.application_name, l.pid
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND ((l.classid::bigint << 32) | l.objid::bigint) = ANY($1::bigint[])
"""
# The server drops a silent client after idle + interval * count seconds, freeing its locks.
_KEEPALIVE = {"tcp_keepalives_idle": "5", "tcp_keepalives_interval": "2",
              "tcp_keepalives_count": "3"}


def lock_key(name: str) -> int:
    """The advisory lock key of a singleton: a positive 63-bit hash of its name."""
    digest = hashlib.sha256(f"leadgate:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF


def process_identity() -> str:
    """How this process shows in pg_stat_activity and on /healthz: `leadgate <host> <pid>`."""
    return f"leadgate {socket.gethostname()[:40]} {os.getpid()}"


async def one_at_a_time(connection: AsyncConnection, name: str) -> None:
    """Wait until no other process's transaction is doing `name`; held until this one ends.

    Processes started together (a cluster) migrate the schema and sync the staff in turns.
    SQLite has one process: nothing to wait for.
    """
    if connection.dialect.name == "postgresql":
        await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                 {"key": lock_key(name)})


class SingletonLocks:
    """The advisory locks this process wants, held or tried on its own connection."""

    def __init__(self, database_url: str, identity: str | None = None,
                 retry_seconds: float = 1.0, timeout_seconds: float = 5.0) -> None:
        self._dsn = asyncpg_dsn(database_url)
        self.identity = identity or process_identity()
        self._retry = retry_seconds
        self._timeout = timeout_seconds
        self._wanted: dict[int, str] = {}
        self._held: dict[int, asyncio.Event] = {}
        self._lost: dict[int, asyncio.Event] = {}
        self._unlock: set[int] = set()
        self._holders: dict[str, str | None] = {}
        self._elsewhere: dict[int, Callable[[str], None]] = {}
        self._nudge = asyncio.Event()
        self.connected = False

    def holders(self) -> dict[str, str | None]:
        """Per wanted singleton: who holds it as last seen (this process's identity if here)."""
        return {name: (self.identity if self._held[key].is_set() else self._holders.get(name))
                for key, name in self._wanted.items()}

    async def run_held(self, name: str, body: Callable[[], Awaitable[T]],
                       elsewhere: Callable[[str], None] = lambda holder: None) -> T:
        """Wait until this process holds `name`, then run `body`; LockLost cancels it at once.

        While waiting, `elsewhere(holder)` is told each time another process is seen holding it.
        """
        key = lock_key(name)
        self._wanted[key] = name
        self._elsewhere[key] = elsewhere
        held = self._held.setdefault(key, asyncio.Event())
        lost = self._lost.setdefault(key, asyncio.Event())
        self._nudge.set()
        try:
            await held.wait()
            log.info("this process now runs %s", name)
            work = asyncio.ensure_future(body())
            watch = asyncio.ensure_future(lost.wait())
            try:
                await asyncio.wait([work, watch], return_when=asyncio.FIRST_COMPLETED)
            finally:
                watch.cancel()
                if not work.done():
                    work.cancel()
                    await asyncio.gather(work, return_exceptions=True)
            if lost.is_set() and work.cancelled():
                log.warning("lost the lock of %s: stopped it", name)
                raise LockLost(name)
            return work.result()
        finally:
            self._give_back(key)

    async def run(self) -> None:
        """Keep the lock connection until cancelled: take wanted locks, watch, reconnect."""
        while True:
            try:
                connection = await asyncpg.connect(
                    self._dsn, timeout=self._timeout,
                    server_settings={"application_name": self.identity[:63], **_KEEPALIVE})
            except (OSError, TimeoutError, asyncpg.PostgresError) as err:
                log.warning("singleton locks: database unreachable (%s)", type(err).__name__)
                await asyncio.sleep(self._retry)
                continue
            connection.add_termination_listener(lambda _: self._lose_all())
            self.connected = True
            try:
                await self._keep(connection)
            except Exception as err:  # whatever ends the connection ends every lock on it
                log.warning("singleton locks: connection lost (%s)", type(err).__name__)
            finally:
                self._lose_all()
                connection.terminate()
            await asyncio.sleep(self._retry)

    async def _keep(self, connection: asyncpg.Connection) -> None:
        while True:
            for key in list(self._unlock):
                await connection.fetchval(_UNLOCK, key, timeout=self._timeout)
                self._unlock.discard(key)
            wanted = [k for k in self._wanted if not self._held[k].is_set()]
            if wanted:
                for key, got in await connection.fetch(_TRY, wanted, timeout=self._timeout):
                    if got and key in self._wanted:
                        self._lost[key].clear()
                        self._held[key].set()
                    elif got:
                        self._unlock.add(key)  # given up while we asked: let it go again
                await self._see_holders(connection, wanted)
            else:
                await connection.fetchval("SELECT 1", timeout=self._timeout)
            self._nudge.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._nudge.wait(), self._retry)

    async def _see_holders(self, connection: asyncpg.Connection, keys: list[int]) -> None:
        rows = await connection.fetch(_HOLDERS, keys, timeout=self._timeout)
        found: dict[int, Any] = {row["k"]: row["application_name"] or f"pid {row['pid']}"
                                 for row in rows}
        for key in keys:
            if key not in self._wanted:
                continue  # given up while we looked
            self._holders[self._wanted[key]] = holder = found.get(key)
            if holder is not None and not self._held[key].is_set():
                self._elsewhere[key](holder)

    def _give_back(self, key: int) -> None:
        if self._held[key].is_set():
            self._held[key].clear()
            self._unlock.add(key)
            self._nudge.set()
        self._wanted.pop(key, None)
        self._elsewhere.pop(key, None)

    def _lose_all(self) -> None:
        self.connected = False
        self._unlock.clear()
        for key, held in self._held.items():
            if held.is_set():
                held.clear()
                self._lost[key].set()
