"""Unit of work: one connection, one transaction, rolled back unless told to commit."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from crm_store.engine import for_writing
from crm_store.intake_store import SqlIntakeStore


class UnitOfWork:
    """`async with UnitOfWork(engine) as uow: ...; await uow.commit()`; else it rolls back."""

    connection: AsyncConnection
    intake: SqlIntakeStore

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._transaction: AsyncTransaction | None = None

    async def __aenter__(self) -> UnitOfWork:
        self.connection = await for_writing(self._engine).connect()
        try:
            self._transaction = await self.connection.begin()
        except BaseException:
            await self.connection.close()
            raise
        self.intake = SqlIntakeStore(self.connection)
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
