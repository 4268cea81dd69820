"""A manager's load is kept by the database itself, true after every kind of change to leads."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.engine import create_engine
from crm_store.migrate import upgrade, upgrade_if_empty
from crm_store.routing_tables import manager_loads, managers
from crm_store.tables import customers, leads
from leads.model import utcnow
from leads.statuses import WORKING_STATUSES
from tests.support.schema import schema_at


async def _kept(conn: AsyncConnection) -> dict[int, int]:
    rows = await conn.execute(select(manager_loads.c.manager_id, manager_loads.c.load))
    return {row.manager_id: row.load for row in rows if row.load}


async def _counted(conn: AsyncConnection) -> dict[int, int]:
    rows = await conn.execute(
        select(leads.c.manager_id, func.count())
        .where(leads.c.manager_id.is_not(None), leads.c.status.in_(WORKING_STATUSES))
        .group_by(leads.c.manager_id))
    return {manager: count for manager, count in rows}


async def _one_manager_two_working_leads(conn: AsyncConnection) -> None:
    now = utcnow()
    await conn.execute(insert(managers), [{"id": 1, "login": "m", "name": "M", "created_at": now}])
    await conn.execute(insert(customers), [{"id": 1, "created_at": now}])
    await conn.execute(insert(leads), [
        {"customer_id": 1, "status": status, "channel": "webform", "created_at": now,
         "last_touch_at": now, "manager_id": 1} for status in ("assigned", "accepted", "won")])


async def test_an_upgraded_store_starts_with_the_loads_its_leads_make(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await schema_at(engine, "0013")
        async with engine.begin() as conn:
            await _one_manager_two_working_leads(conn)
        await upgrade(engine)
        async with engine.connect() as conn:
            kept = await _kept(conn)
    finally:
        await engine.dispose()

    assert kept == {1: 2}


async def test_loads_follow_inserts_reassignments_closes_and_deletes(database_url: str) -> None:
    engine = create_engine(database_url)
    now = utcnow()
    try:
        await upgrade_if_empty(engine)
        async with engine.begin() as conn:
            await conn.execute(insert(managers), [
                {"id": n, "login": f"m{n}", "name": f"M {n}", "created_at": now} for n in (1, 2)])
            await conn.execute(insert(customers), [{"id": 1, "created_at": now}])
            await conn.execute(insert(leads), [
                {"id": n, "customer_id": 1, "status": status, "channel": "webform",
                 "created_at": now, "last_touch_at": now, "manager_id": manager}
                for n, (status, manager) in enumerate(
                    [("assigned", 1), ("accepted", 1), ("new", None), ("won", 2),
                     ("assigned", 2)], start=1)])
            inserted = await _kept(conn)
            await conn.execute(update(leads).where(leads.c.id == 1).values(manager_id=2))
            await conn.execute(update(leads).where(leads.c.id == 2).values(status="lost"))
            await conn.execute(update(leads).where(leads.c.id == 3)
                               .values(status="assigned", manager_id=1))
            await conn.execute(update(leads).values(last_touch_at=now))
            changed = await _kept(conn)
            await conn.execute(delete(leads).where(leads.c.id == 5))
            deleted, counted = await _kept(conn), await _counted(conn)
    finally:
        await engine.dispose()

    assert inserted == {1: 2, 2: 1}
    assert changed == {1: 1, 2: 2}
    assert deleted == counted == {1: 1, 2: 1}


async def test_loads_are_still_kept_after_a_later_migration_is_undone(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await schema_at(engine, "0014")
        async with engine.begin() as conn:
            await _one_manager_two_working_leads(conn)
            kept = await _kept(conn)
    finally:
        await engine.dispose()

    assert kept == {1: 2}
