"""Statements on the driver connection: the rows, types, errors and transaction SQLAlchemy gives."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import bindparam, func, select, text, tuple_
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError

from crm_store import direct
from crm_store import intake_statements as sql
from crm_store.engine import create_engine
from crm_store.intake_store import SqlIntakeStore
from crm_store.migrate import upgrade_if_empty
from crm_store.tables import customers, identities
from leads.model import utcnow
from tests.conftest import _admin

_BY_PAIRS = (
    select(identities.c.kind, identities.c.value, customers.c.id, customers.c.created_at)
    .join(customers, customers.c.id == identities.c.customer_id)
    .where(tuple_(identities.c.kind, identities.c.value).in_(bindparam("pairs", expanding=True)))
)


async def test_rows_read_by_name_and_position_as_sqlalchemy_gives_them(database_url: str
                                                                       ) -> None:
    engine = create_engine(database_url)
    now = utcnow()
    # Three pairs go as four (the last repeated): the repeated one must not come back twice.
    pairs = [("phone", "+1"), ("phone", "+998901234567"), ("email", "a@example.com")]
    try:
        await upgrade_if_empty(engine)
        async with engine.begin() as conn:
            [customer] = await SqlIntakeStore(conn).create_customers(["Aziz"], now)
            await sql.INSERT_IDENTITIES.execute(conn, [
                {"customer_id": customer, "kind": kind, "value": value, "info": {"n": [1]},
                 "created_at": now} for kind, value in pairs[1:]])
            fast = await direct.rows(conn, _BY_PAIRS, {"pairs": pairs})
            slow = list(await conn.execute(_BY_PAIRS, {"pairs": pairs}))
            fewer = await direct.rows(conn, _BY_PAIRS, {"pairs": pairs[1:2]})
            info = await direct.scalar(conn, select(identities.c.info).limit(1))
    finally:
        await engine.dispose()

    assert sorted(map(tuple, fast)) == sorted(map(tuple, slow))
    assert sorted((row.kind, row.value, row.id) for row in fast) == sorted(
        (kind, value, customer) for kind, value in pairs[1:])
    assert [row.created_at for row in fast] == [now, now]
    assert [(row.kind, row.value) for row in fewer] == pairs[1:2]
    assert info == {"n": [1]}


async def test_a_change_counts_its_rows_and_refuses_a_naive_datetime(database_url: str) -> None:
    engine = create_engine(database_url)
    now = utcnow()
    try:
        await upgrade_if_empty(engine)
        async with engine.begin() as conn:
            [customer] = await SqlIntakeStore(conn).create_customers([None], now)
            named = await direct.rowcount(conn, sql.FILL_NAME,
                                          {"customer_id": customer, "new_name": "Aziz"})
            again = await direct.rowcount(conn, sql.FILL_NAME,
                                          {"customer_id": customer, "new_name": "Other"})
            with pytest.raises(StatementError):
                await direct.rows(conn, sql.OPEN_LEAD, {"customer_id": customer,
                                                        "since": datetime(2026, 1, 1)})
    finally:
        await engine.dispose()

    assert (named, again) == (1, 0)


async def test_statements_belong_to_the_transaction_they_run_in(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    count = select(func.count()).select_from(customers)
    try:
        await upgrade_if_empty(engine)
        async with engine.connect() as conn:
            before = await conn.scalar(count)
        async with engine.connect() as conn:
            await conn.begin()
            await direct.rows(conn, text("INSERT INTO customers (created_at, name) "
                                         "VALUES (:at, 'Gone')"), {"at": utcnow()})
            await conn.rollback()
        async with engine.connect() as conn:
            after = await conn.scalar(count)
    finally:
        await engine.dispose()

    assert after == before


async def test_a_unique_conflict_is_an_integrity_error(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    now = utcnow()
    row = {"kind": "phone", "value": "+998907654321", "info": {}, "created_at": now}
    try:
        await upgrade_if_empty(engine)
        async with engine.begin() as conn:
            one, two = await SqlIntakeStore(conn).create_customers([None, None], now)
            await sql.INSERT_IDENTITIES.execute(conn, [{**row, "customer_id": one}])
        with pytest.raises(IntegrityError):
            async with engine.begin() as conn:
                await sql.INSERT_IDENTITIES.execute(conn, [{**row, "customer_id": two}])
    finally:
        await engine.dispose()


async def test_a_connection_that_died_is_not_used_again(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    try:
        async with engine.connect() as conn:
            await conn.begin()
            pid = await direct.scalar(conn, text("SELECT pg_backend_pid()"))
            await _admin(f"SELECT pg_terminate_backend({pid})")
            with pytest.raises(DBAPIError) as raised:
                await direct.rows(conn, sql.OPEN_LEAD, {"customer_id": 1,
                                                        "since": utcnow() - timedelta(days=1)})
        async with engine.connect() as conn:
            replaced = await conn.scalar(text("SELECT pg_backend_pid()"))
    finally:
        await engine.dispose()

    assert raised.value.connection_invalidated
    assert replaced != pid
