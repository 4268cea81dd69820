"""Channel cursors (IMAP UIDVALIDITY and last UID …) kept in the store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
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
        """Save `value` under `key` durably (an upsert: two first saves do not collide)."""
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(channel_cursors).values(key=key, value=value,
                                                           updated_at=utcnow())
        async with SqlUnitOfWork(self._engine) as uow:
            await uow.connection.execute(statement.on_conflict_do_update(
                index_elements=[channel_cursors.c.key],
                set_={"value": statement.excluded.value,
                      "updated_at": statement.excluded.updated_at},
            ))
            await uow.commit()
