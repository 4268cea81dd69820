"""The migrations build exactly the schema the code declares, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert

from crm_store.duplicates import possible_duplicates
from crm_store.engine import create_engine
from crm_store.migrate import current_revision, upgrade, upgrade_if_empty
from crm_store.schema import metadata
from crm_store.tables import customers, identities
from leads.model import utcnow
from tests.support.schema import schema_at


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


async def test_cards_made_before_look_alikes_existed_get_their_keys_on_upgrade(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    now = utcnow()
    try:
        await schema_at(engine, "0007")
        async with engine.begin() as conn:
            await conn.execute(insert(customers), [
                {"id": 1, "created_at": now, "name": "Ольга Смирнова"},
                {"id": 2, "created_at": now, "name": "Olga Smirnova"},
                {"id": 3, "created_at": now, "name": "Olga Petrova"},
            ])
            await conn.execute(insert(identities), [
                {"customer_id": 1, "kind": "phone", "value": "+998501234567", "info": {},
                 "created_at": now},
                {"customer_id": 3, "kind": "phone", "value": "+380501234567", "info": {},
                 "created_at": now},
            ])
        await upgrade(engine)
        async with engine.connect() as conn:
            one = await possible_duplicates(conn, 1)
    finally:
        await engine.dispose()

    assert [(d["customer_id"], d["reason"], d["score"]) for d in one] == [
        (3, "same_phone_other_region", 0.8), (2, "same_name", 0.6)]
