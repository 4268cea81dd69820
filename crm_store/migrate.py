"""Alembic migrations, run programmatically on the service's own engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.singleton_locks import one_at_a_time
from crm_store.uow import SqlUnitOfWork

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at our migrations, bound to `connection` if given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema up to `revision`."""
    async with SqlUnitOfWork(engine) as uow:
        await one_at_a_time(uow.connection, "schema migration")
        await uow.connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))
        await uow.commit()


async def upgrade_if_empty(engine: AsyncEngine) -> bool:
    """Create the schema in an empty database, or bring one of ours up to date; True if it did.

    A database holding tables but no Alembic revision is not ours: it is left alone.
    """
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
    if "customers" in tables and "alembic_version" not in tables:
        return False
    if "customers" in tables and await current_revision(engine) == head_revision():
        return False
    await upgrade(engine)
    return True


def head_revision() -> str | None:
    """The newest revision among our migrations."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None before the first migration."""
    from alembic.runtime.migration import MigrationContext

    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
