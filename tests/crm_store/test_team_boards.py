"""Team boards: the teams named, with their members and loads, read after their locks are taken."""

from __future__ import annotations

import asyncio

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from crm_store.engine import create_engine
from crm_store.migrate import upgrade_if_empty
from crm_store.routing_tables import manager_loads, managers, team_members, teams
from crm_store.uow import SqlUnitOfWork
from leads.model import utcnow


async def _floor(engine: AsyncEngine) -> None:
    """Sales with Olga (1) and Aziz (2), support with Aziz, and an empty team."""
    now = utcnow()
    await upgrade_if_empty(engine)
    async with engine.begin() as conn:
        await conn.execute(insert(managers), [
            {"id": 2, "login": "aziz", "name": "Aziz", "created_at": now, "capacity": 20,
             "languages": ["uz"]},
            {"id": 1, "login": "olga", "name": "Olga", "created_at": now, "capacity": 3,
             "languages": []}])
        await conn.execute(insert(teams), [
            {"id": 1, "name": "sales", "accept_minutes": 5, "lead_manager_id": None},
            {"id": 2, "name": "support", "accept_minutes": 2, "lead_manager_id": 1},
            {"id": 3, "name": "empty", "accept_minutes": 5, "lead_manager_id": None}])
        await conn.execute(insert(team_members), [
            {"team_id": 1, "manager_id": 2}, {"team_id": 1, "manager_id": 1},
            {"team_id": 2, "manager_id": 2}])


async def test_teams_are_read_with_their_members_in_id_order(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await _floor(engine)
        async with SqlUnitOfWork(engine) as uow:
            found = await uow.routing.boards(["sales", "support", "empty", "nobody"])
    finally:
        await engine.dispose()

    assert sorted(found) == ["empty", "sales", "support"]
    sales, members = found["sales"]
    assert (sales.id, sales.accept_minutes, sales.lead_manager_id) == (1, 5, None)
    assert [(m.id, m.login, m.capacity, m.load, m.last_assigned_at) for m in members] == [
        (1, "olga", 3, 0, None), (2, "aziz", 20, 0, None)]
    assert list(members[1].languages) == ["uz"]
    assert found["support"][0].lead_manager_id == 1
    assert [m.id for m in found["support"][1]] == [2]
    assert found["empty"][1] == []


async def _waiting_for_a_lock(conn: AsyncConnection) -> bool:
    return bool(await conn.scalar(text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")))


async def test_a_board_read_after_waiting_for_the_lock_sees_what_the_holder_committed(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url)
    try:
        await _floor(engine)
        async with SqlUnitOfWork(engine) as holder:
            await holder.routing.boards(["support"])  # Aziz's teams are all locked now
            waiter = asyncio.create_task(_board_of(engine, "sales"))
            async with engine.connect() as watcher:
                while not await _waiting_for_a_lock(watcher):
                    assert not waiter.done(), "the second board was read without waiting"
                    await asyncio.sleep(0.01)
            await holder.connection.execute(insert(manager_loads), [{"manager_id": 2, "load": 4}])
            await holder.commit()
        members = await waiter
    finally:
        await engine.dispose()

    assert {m.login: m.load for m in members} == {"olga": 0, "aziz": 4}


async def _board_of(engine: AsyncEngine, team: str) -> list[object]:
    async with SqlUnitOfWork(engine) as uow:
        return (await uow.routing.boards([team]))[team][1]
