"""Channel cursors (IMAP UIDVALIDITY and last UID …) kept in the store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.tables import channel_cursors
from crm_store.uow import SqlUnitOfWork
from leads.model import utcnow


class SqlCursorStore:
    """A CursorStore in the `channel_cursors` table."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def load(self, key: str) -> dict[str, Any] | None:
        """The value saved under `key`, or None."""
        async with self._engine.connect() as conn:
            value = await conn.scalar(
                select(channel_cursors.c.value).where(channel_cursors.c.key == key)
            )
        return dict(value) if value is not None else None

    async def save(self, key: str, value: dict[str, Any]) -> None:
        """Save `value` under `key` durably."""
        async with SqlUnitOfWork(self._engine) as uow:
            changed = await uow.connection.execute(
                update(channel_cursors)
                .where(channel_cursors.c.key == key)
                .values(value=value, updated_at=utcnow())
            )
            if changed.rowcount == 0:
                await uow.connection.execute(
                    insert(channel_cursors).values(key=key, value=value, updated_at=utcnow())
                )
            await uow.commit()
