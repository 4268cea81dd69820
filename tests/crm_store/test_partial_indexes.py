"""The deadline, change and merge indexes hold only the rows that have one, and are read."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Select, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from crm_store.columns import in_commit_order, is_changed
from crm_store.engine import create_engine
from crm_store.migrate import upgrade
from crm_store.tables import customers, leads

PARTIAL = {
    "ix_customers_merged_into_id": "merged_into_id IS NOT NULL",
    "ix_leads_callback_due": "callback_due_at IS NOT NULL",
    "ix_leads_callback_requested": "callback_requested_at IS NOT NULL",
    "ix_leads_offer_deadline_at": "offer_deadline_at IS NOT NULL",
    "ix_leads_contact_due_at": "contact_due_at IS NOT NULL",
    "ix_leads_accepted_txid": "accepted_txid > 0",
    "ix_leads_closed_txid": "closed_txid > 0",
}


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


async def card_indexes(conn: AsyncConnection) -> dict[str, str]:
    if conn.dialect.name == "postgresql":
        rows = await conn.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE tablename IN ('leads', 'customers')"))
    else:
        rows = await conn.execute(text(
            "SELECT name, coalesce(sql, '') FROM sqlite_master"
            " WHERE type = 'index' AND tbl_name IN ('leads', 'customers')"))
    return {name: definition for name, definition in rows}


async def plan(conn: AsyncConnection, query: Select[tuple[int]]) -> str:
    compiled = query.compile(dialect=conn.dialect)
    params = tuple(compiled.params[name] for name in compiled.positiontup or ())
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SET LOCAL enable_seqscan = off"))  # an empty table: no choice
        rows = await conn.exec_driver_sql(f"EXPLAIN {compiled}", params)
        return "\n".join(row[0] for row in rows)
    rows = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params)
    return "\n".join(row[-1] for row in rows)


async def test_deadline_change_and_merge_indexes_hold_only_rows_that_have_one(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as conn:
        indexes = await card_indexes(conn)

    for name, condition in PARTIAL.items():
        column = condition.split()[0]
        assert f"WHERE {condition}" in indexes[name].replace("(", "").replace(")", ""), name
        assert column in indexes[name]
    assert "ix_leads_manager_id" not in indexes
    assert {"ix_leads_manager_status", "ix_leads_manager_assigned"} <= set(indexes)


@pytest.mark.parametrize("change", ["accepted_txid", "closed_txid"])
async def test_changes_are_read_in_commit_order_through_their_index(
    engine: AsyncEngine, change: str,
) -> None:
    column = leads.c[change]
    query = select(leads.c.id).where(is_changed(column)).order_by(column, leads.c.id)
    async with engine.begin() as conn:
        found = await plan(conn, query)

    assert f"ix_leads_{change}" in found


async def test_the_next_change_position_on_sqlite_is_read_from_the_index() -> None:
    engine = create_engine("sqlite+aiosqlite://")
    try:
        await upgrade(engine)
        async with engine.begin() as conn:
            found = await plan(conn, select(in_commit_order(conn.dialect, leads.c.closed_txid)))
    finally:
        await engine.dispose()

    assert "ix_leads_closed_txid" in found
    assert "SCAN leads" not in found


async def test_cards_merged_into_a_card_are_found_through_their_index(engine: AsyncEngine) -> None:
    query = select(customers.c.id).where(customers.c.merged_into_id == 7)
    async with engine.begin() as conn:
        found = await plan(conn, query)

    assert "ix_customers_merged_into_id" in found
