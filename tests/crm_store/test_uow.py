"""The unit of work: committed work stays, the rest is rolled back, a dead connection is dropped."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from crm_store.engine import create_engine
from crm_store.migrate import upgrade_if_empty
from crm_store.tables import customers
from crm_store.uow import SqlUnitOfWork
from leads.model import utcnow
from tests.conftest import _admin

_COUNT = select(func.count()).select_from(customers)


async def test_committed_work_stays_and_the_rest_is_rolled_back(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade_if_empty(engine)
        async with SqlUnitOfWork(engine) as uow:
            await uow.intake.create_customers(["Kept"], utcnow())
            await uow.commit()
        async with SqlUnitOfWork(engine) as uow:
            await uow.intake.create_customers(["Dropped"], utcnow())
        with pytest.raises(RuntimeError):
            async with SqlUnitOfWork(engine) as uow:
                await uow.intake.create_customers(["Failed"], utcnow())
                raise RuntimeError("the work failed")
        async with SqlUnitOfWork(engine) as uow:  # nothing done: nothing to commit
            await uow.commit()
        async with engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            # The connection came back from the pool with no transaction left open on it.
            idle = not (raw.is_in_transaction() if hasattr(raw, "is_in_transaction")
                        else raw.in_transaction)
            names = list(await conn.scalars(select(customers.c.name)))
    finally:
        await engine.dispose()

    assert names == ["Kept"]
    assert idle


async def test_a_commit_on_a_connection_that_died_fails_and_the_connection_is_replaced(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url)
    try:
        await upgrade_if_empty(engine)
        with pytest.raises(DBAPIError) as raised:
            async with SqlUnitOfWork(engine) as uow:
                await uow.intake.create_customers(["Lost"], utcnow())
                pid = await uow.connection.scalar(text("SELECT pg_backend_pid()"))
                await _admin(f"SELECT pg_terminate_backend({pid})")
                await uow.commit()
        async with SqlUnitOfWork(engine) as uow:
            replaced = await uow.connection.scalar(text("SELECT pg_backend_pid()"))
            count = await uow.connection.scalar(_COUNT)
            await uow.commit()
    finally:
        await engine.dispose()

    assert raised.value.connection_invalidated
    assert replaced != pid
    assert count == 0
