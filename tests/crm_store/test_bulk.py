"""Many rows in one statement: the same rows, in order, refused as the columns refuse them."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from crm_store.bulk import BulkInsert
from crm_store.engine import create_engine
from crm_store.intake_store import SqlIntakeStore
from crm_store.migrate import upgrade_if_empty
from crm_store.tables import customers, identities
from leads.model import utcnow


async def test_new_cards_get_ids_in_the_order_of_their_names(database_url: str) -> None:
    engine = create_engine(database_url)
    names = [f"Name {n}" for n in range(40)]
    try:
        await upgrade_if_empty(engine)
        async with engine.begin() as conn:
            ids = await SqlIntakeStore(conn).create_customers(names, utcnow())
            stored = dict((await conn.execute(select(customers.c.id, customers.c.name))).all())
    finally:
        await engine.dispose()

    assert [stored[i] for i in ids] == names


async def test_a_value_too_long_for_its_column_is_refused_not_cut(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    now = utcnow()
    insert = BulkInsert(identities, ["customer_id", "kind", "value", "info", "created_at"])
    try:
        await upgrade_if_empty(engine)
        async with engine.begin() as conn:
            [customer] = await SqlIntakeStore(conn).create_customers([None], now)
        with pytest.raises(DBAPIError):
            async with engine.begin() as conn:
                await insert.execute(conn, [{"customer_id": customer, "kind": "email",
                                             "value": "x" * 400, "info": {}, "created_at": now}])
    finally:
        await engine.dispose()


async def test_rows_that_conflict_are_skipped_when_asked(database_url: str) -> None:
    engine = create_engine(database_url)
    now = utcnow()
    insert = BulkInsert(identities, ["customer_id", "kind", "value", "info", "created_at"],
                        skip_conflicts=True)
    try:
        await upgrade_if_empty(engine)
        async with engine.begin() as conn:
            [one, two] = await SqlIntakeStore(conn).create_customers([None, None], now)
            row = {"kind": "phone", "value": "+998901234567", "info": {"region": "UZ"},
                   "created_at": now}
            await insert.execute(conn, [{**row, "customer_id": one}])
            await insert.execute(conn, [{**row, "customer_id": two},
                                        {**row, "value": "+998901234568", "customer_id": two}])
            kept = (await conn.execute(select(identities.c.value, identities.c.customer_id,
                                              identities.c.info)
                                       .order_by(identities.c.value))).all()
    finally:
        await engine.dispose()

    assert [tuple(r) for r in kept] == [("+998901234567", one, {"region": "UZ"}),
                                        ("+998901234568", two, {"region": "UZ"})]
