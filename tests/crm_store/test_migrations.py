"""The migrations build exactly the schema the code declares, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from crm_store.engine import create_engine
from crm_store.migrate import current_revision, upgrade, upgrade_if_empty
from crm_store.schema import metadata


async def test_migrated_database_matches_the_declared_tables(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade_if_empty(engine)
        await upgrade(engine)  # a second upgrade is a no-op
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
            )
        revision = await current_revision(engine)
    finally:
        await engine.dispose()

    assert diff == []
    assert revision is not None
