"""Stores at an older schema revision, for tests of what an upgrade does to existing data."""

from __future__ import annotations

from alembic import command
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.migrate import alembic_config, upgrade


async def schema_at(engine: AsyncEngine, revision: str) -> None:
    """Migrate the store to the newest revision, then undo migrations down to `revision`."""
    await upgrade(engine)
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))
