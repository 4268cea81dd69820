"""Unit of work: one connection, one transaction, every store it writes through.

`async with SqlUnitOfWork(engine) as uow: ...; await uow.commit()` — leaving the block without
commit rolls back, so nothing half-written survives an exception. Every write transaction of
Leadgate is one of these: intake (`uow.intake`, `uow.routing` with its outbox), the desk's lead
changes, the relay, the notifiers' inbox, the staff sync and the CLI (`uow.staff`), bans, merges
and the refusal journal (`uow.hygiene`), the workspace's sessions, login throttling and notes
(`uow.workspace`), cursors, tokens, shared marks and schema migrations (their statements on
`uow.connection`). It implements `leads.ports.UnitOfWork`.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from crm_store.engine import for_writing
from crm_store.hygiene_store import SqlHygieneStore
from crm_store.intake_store import SqlIntakeStore
from crm_store.routing_store import SqlRoutingStore
from crm_store.staff import SqlStaffStore
from crm_store.workspace_store import SqlWorkspaceStore


class SqlUnitOfWork:
    """One transaction on the engine, rolled back unless `commit()` was called."""

    connection: AsyncConnection
    intake: SqlIntakeStore
    routing: SqlRoutingStore
    staff: SqlStaffStore
    hygiene: SqlHygieneStore
    workspace: SqlWorkspaceStore

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._transaction: AsyncTransaction | None = None

    async def __aenter__(self) -> SqlUnitOfWork:
        self.connection = await for_writing(self._engine).connect()
        try:
            self._transaction = await self.connection.begin()
        except BaseException:
            await self.connection.close()
            raise
        self.intake = SqlIntakeStore(self.connection)
        self.routing = SqlRoutingStore(self.connection)
        self.staff = SqlStaffStore(self.connection)
        self.hygiene = SqlHygieneStore(self.connection)
        self.workspace = SqlWorkspaceStore(self.connection)
        return self

    async def commit(self) -> None:
        """Make the work durable."""
        assert self._transaction is not None
        await self._transaction.commit()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._transaction is not None and self._transaction.is_active:
                await self._transaction.rollback()
        finally:
            await self.connection.close()
