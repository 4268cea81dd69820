"""Unit of work: one connection, one transaction, every store it writes through.

`async with SqlUnitOfWork(engine) as uow: ...; await uow.commit()` — leaving the block without
commit rolls back, so nothing half-written survives an exception. Every write transaction of
Leadgate is one of these: intake (`uow.intake`, `uow.routing` with its outbox), the desk's lead
changes, the relay, the notifiers' inbox, the staff sync and the CLI (`uow.staff`), bans, merges
and the refusal journal (`uow.hygiene`), the workspace's sessions, login throttling and notes
(`uow.workspace`), cursors, tokens, shared marks and schema migrations (their statements on
`uow.connection`). It implements `leads.ports.UnitOfWork`.

On PostgreSQL the transaction is begun and committed without SQLAlchemy's greenlet hand-offs:
beginning sends nothing (the asyncpg adapter sends BEGIN with the first statement, either way)
and COMMIT goes straight to the asyncpg connection (`direct.commit`); SQLAlchemy's own record
of the transaction is then closed with no I/O left to do, so its connection, pool and
invalidation state stay as its own path leaves them. SQLite keeps SQLAlchemy's path.
"""

from __future__ import annotations

from functools import cached_property
from types import TracebackType

from sqlalchemy.engine import RootTransaction
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from crm_store import direct
from crm_store.engine import for_writing
from crm_store.hygiene_store import SqlHygieneStore
from crm_store.intake_store import SqlIntakeStore
from crm_store.routing_store import SqlRoutingStore
from crm_store.staff import SqlStaffStore
from crm_store.workspace_store import SqlWorkspaceStore


class SqlUnitOfWork:
    """One transaction on the engine, rolled back unless `commit()` was called."""

    connection: AsyncConnection

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._transaction: AsyncTransaction | None = None
        self._root: RootTransaction | None = None

    async def __aenter__(self) -> SqlUnitOfWork:
        self.connection = await for_writing(self._engine).connect()
        try:
            if direct.begins_here(self.connection):
                self._root = self.connection.sync_connection.begin()  # type: ignore[union-attr]
            else:
                self._transaction = await self.connection.begin()
        except BaseException:
            await self.connection.close()
            raise
        return self

    # Built on first use: most transactions write through one or two of them.
    @cached_property
    def intake(self) -> SqlIntakeStore:
        """The intake's reads and writes."""
        return SqlIntakeStore(self.connection)

    @cached_property
    def routing(self) -> SqlRoutingStore:
        """Routing decisions, managers' loads and the outbox."""
        return SqlRoutingStore(self.connection)

    @cached_property
    def staff(self) -> SqlStaffStore:
        """Managers and teams."""
        return SqlStaffStore(self.connection)

    @cached_property
    def hygiene(self) -> SqlHygieneStore:
        """Bans, merges and the refusal journal."""
        return SqlHygieneStore(self.connection)

    @cached_property
    def workspace(self) -> SqlWorkspaceStore:
        """The workspace's sessions, login throttling and notes."""
        return SqlWorkspaceStore(self.connection)

    async def commit(self) -> None:
        """Make the work durable."""
        if self._root is not None:
            await direct.commit(self.connection)
            # Nothing is left for the driver to do: this only closes SQLAlchemy's record.
            self._root.commit()
            return
        assert self._transaction is not None
        await self._transaction.commit()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._root is not None:
                if self._root.is_active:
                    await self.connection.rollback()
            elif self._transaction is not None and self._transaction.is_active:
                await self._transaction.rollback()
        finally:
            await self.connection.close()
