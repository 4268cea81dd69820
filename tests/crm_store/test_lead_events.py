"""Readers of new leads, routing messages, accepts and closes see each once, in whatever order
writers commit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from crm_store.cursors import SqlCursorStore
from crm_store.engine import create_engine
from crm_store.lead_events import EventScanner
from crm_store.merging import merge_cards
from crm_store.migrate import upgrade, upgrade_if_empty
from crm_store.routing_store import SqlRoutingStore
from crm_store.routing_tables import outbox
from crm_store.tables import customers, leads
from leads.model import utcnow
from tests.support.schema import schema_at

KEY = "tests:events"


@asynccontextmanager
async def one_customer_store(url: str) -> AsyncIterator[AsyncEngine]:
    """The store at `url`, migrated, with one customer to hang leads on."""
    engine = create_engine(url)
    try:
        await upgrade_if_empty(engine)
        async with engine.begin() as conn:
            await conn.execute(insert(customers), [{"id": 1, "created_at": utcnow()}])
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """One customer's store on each backend."""
    async with one_customer_store(database_url) as engine:
        yield engine


async def _write_lead(conn: AsyncConnection, message: str) -> None:
    now = utcnow()
    await conn.execute(insert(leads), [{"customer_id": 1, "status": "new", "channel": "webform",
                                        "created_at": now, "last_touch_at": now}])
    await conn.execute(insert(outbox), [{"message_id": message, "routing_key": "lead.new",
                                         "payload": {"event": "lead.new"}, "created_at": now}])


async def _set_status(conn: AsyncConnection, lead_id: int, status: str) -> None:
    await SqlRoutingStore(conn).set_status(lead_id, utcnow(), status)


async def _scan(scanner: EventScanner) -> list[str]:
    events = await scanner.scan(utcnow())
    await scanner.commit()
    return sorted(e.event_id for e in events)


async def test_a_lead_committed_after_a_later_one_is_still_reported(postgres_url: str) -> None:
    async with one_customer_store(postgres_url) as engine:
        scanner = EventScanner(engine, KEY)
        assert await _scan(scanner) == []
        async with engine.connect() as slow:
            await _write_lead(slow, "first")  # takes lead id 1 and outbox id 1, not committed
            async with engine.begin() as quick:
                await _write_lead(quick, "second")  # ids 2, committed first
            while_open = await _scan(scanner)
            await slow.commit()
        after = await _scan(scanner)
        again = await _scan(scanner)

    assert while_open == []  # nothing past a transaction still writing
    assert after == ["first", "lead.created:1", "lead.created:2", "second"]
    assert again == []


@pytest.mark.parametrize(("status", "event"), [("accepted", "lead.accepted"),
                                               ("won", "lead.closed")])
async def test_a_change_committed_after_a_later_one_is_still_reported(
    postgres_url: str, status: str, event: str,
) -> None:
    async with one_customer_store(postgres_url) as engine:
        async with engine.begin() as conn:
            await _write_lead(conn, "one")
            await _write_lead(conn, "two")
        scanner = EventScanner(engine, KEY)
        await _scan(scanner)
        async with engine.connect() as slow:
            await _set_status(slow, 1, status)  # stamped first, not committed
            async with engine.begin() as quick:
                await _set_status(quick, 2, status)  # stamped later, committed first
            while_open = await _scan(scanner)
            await slow.commit()
        after = await _scan(scanner)
        again = await _scan(scanner)

    assert while_open == []  # nothing past a transaction still writing
    assert after == [f"{event}:1", f"{event}:2"]
    assert again == []


async def test_accepts_and_closes_are_each_reported_once(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for n in range(3):
            await _write_lead(conn, f"lead {n}")
    scanner = EventScanner(engine, KEY)
    await _scan(scanner)
    for lead_id, status in ((2, "accepted"), (1, "accepted"), (2, "won")):
        async with engine.begin() as conn:
            await _set_status(conn, lead_id, status)
    changes = await _scan(scanner)
    async with engine.begin() as conn:
        await _set_status(conn, 3, "spam")
    then = await _scan(scanner)

    assert changes == ["lead.accepted:1", "lead.accepted:2", "lead.closed:2"]
    assert then == ["lead.closed:3"]


async def test_a_lead_closed_by_a_merge_is_reported_closed(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(customers), [{"id": 2, "created_at": utcnow()}])
        await _write_lead(conn, "older")
        await _write_lead(conn, "newer")
        await conn.execute(leads.update().where(leads.c.id == 2).values(customer_id=2))
    scanner = EventScanner(engine, KEY)
    await _scan(scanner)
    async with engine.begin() as conn:
        await merge_cards(conn, 1, 2, {"kind": "phone", "value": "+998901234567"}, utcnow())
    found = await _scan(scanner)

    assert found == ["lead.closed:2"]  # the newer open lead folds into the older one


async def test_a_first_scan_starts_before_the_leads_of_the_last_hour(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await _write_lead(conn, "recent")
    scanner = EventScanner(engine, KEY)

    first = await _scan(scanner)
    later_scanner = EventScanner(engine, "tests:later")
    from_two_hours_on = await later_scanner.scan(utcnow() + timedelta(hours=2))

    assert first == ["lead.created:1", "recent"]
    assert from_two_hours_on == []


async def test_a_cursor_saved_before_commit_order_existed_carries_on(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    try:
        await schema_at(engine, "0014")
        async with engine.begin() as conn:
            await conn.execute(insert(customers), [{"id": 1, "created_at": utcnow()}])
            await _write_lead(conn, "reported before")
            await _write_lead(conn, "not yet reported")
        await SqlCursorStore(engine).save(KEY, {
            "lead": 1, "outbox": 1, "accepted_at": utcnow().isoformat(),
            "closed_at": utcnow().isoformat()})
        await upgrade(engine)
        async with engine.begin() as conn:
            await _write_lead(conn, "new")
            await _set_status(conn, 1, "accepted")
        found = await _scan(EventScanner(engine, KEY))
    finally:
        await engine.dispose()

    assert found == ["lead.accepted:1", "lead.created:2", "lead.created:3", "new",
                     "not yet reported"]
