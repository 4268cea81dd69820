"""Many rows in one statement: the same rows, in order, refused as the columns refuse them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import DBAPIError

from crm_store.bulk import BulkInsert
from crm_store.duplicate_tables import duplicate_pairs
from crm_store.engine import create_engine
from crm_store.intake_store import SqlIntakeStore
from crm_store.migrate import upgrade_if_empty
from crm_store.routing_tables import outbox
from crm_store.tables import customers, identities, leads, touches
from leads.duplicates import NAME, MatchKey
from leads.intake import IntakePolicy, prepare
from leads.model import ContactEvent, RawIdentity, utcnow
from leads.normalize import Identity
from leads.ports import Announcement, Assignment, LeadToOpen, NewCard

POLICY = IntakePolicy(default_region="UZ")


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


async def test_new_cards_on_sqlite_go_in_one_insert_with_the_ids_sqlite_would_give(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'leadgate.db'}")
    inserts: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_: inserts.append(statement)
                 if statement.startswith("INSERT") else None)
    try:
        await upgrade_if_empty(engine)
        async with engine.begin() as conn:
            first = await SqlIntakeStore(conn).create_customers(["A", "B"], utcnow())
            await conn.execute(customers.delete().where(customers.c.id == first[-1]))
            inserts.clear()
            ids = await SqlIntakeStore(conn).create_customers(["C", "D", "E"], utcnow())
    finally:
        await engine.dispose()

    assert first == [1, 2]
    assert ids == [2, 3, 4]  # the highest id plus one, as SQLite numbers rows itself
    assert len(inserts) == 1


def test_ids_are_not_asked_of_rows_that_may_be_skipped() -> None:
    with pytest.raises(ValueError, match="skip_conflicts or returning"):
        BulkInsert(customers, ["created_at", "name"], skip_conflicts=True, returning="id")


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


async def test_new_cards_and_their_leads_are_written_each_with_its_own_rows(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    now = utcnow()
    cards = [NewCard(f"Person {n}", [Identity("phone", f"+99890123450{n}", {"n": n})],
                     [MatchKey(NAME, "shared"), MatchKey(NAME, f"own {n}")]) for n in range(3)]
    try:
        await upgrade_if_empty(engine)
        async with engine.begin() as conn:
            [earlier_card] = await SqlIntakeStore(conn).create_cards(
                [NewCard(None, [], [MatchKey(NAME, "shared")])], now)
            earlier = earlier_card.customer_id
        async with engine.begin() as conn:
            store = SqlIntakeStore(conn)
            made = await store.create_cards(cards, now)
            ids = [card.customer_id for card in made]
            opened = await store.open_leads([
                (LeadToOpen(card.customer_id, None, prepare(form(n), POLICY),
                            lead_id=card.lead_id),
                 Assignment("new", routing={"n": n}))
                for n, card in enumerate(made)], now, lambda _: [])
            names = dict((await conn.execute(select(customers.c.id, customers.c.name))).all())
            phones = dict((await conn.execute(
                select(identities.c.value, identities.c.customer_id))).all())
            stored_leads = {row.id: (row.customer_id, row.routing) for row in await conn.execute(
                select(leads.c.id, leads.c.customer_id, leads.c.routing))}
            stored_touches = {row.id: (row.customer_id, row.lead_id, row.external_id)
                              for row in await conn.execute(select(
                                  touches.c.id, touches.c.customer_id, touches.c.lead_id,
                                  touches.c.external_id))}
            pairs = {(row.customer_id, row.other_id) for row in await conn.execute(
                select(duplicate_pairs.c.customer_id, duplicate_pairs.c.other_id))}
    finally:
        await engine.dispose()

    assert [names[i] for i in ids] == ["Person 0", "Person 1", "Person 2"]
    assert [phones[f"+99890123450{n}"] for n in range(3)] == ids
    assert [stored_leads[lead] for lead, _ in opened] == [(c, {"n": n}) for n, c in enumerate(ids)]
    assert [stored_touches[touch] for _, touch in opened] == [
        (c, lead, f"f{n}") for n, (c, (lead, _)) in enumerate(zip(ids, opened, strict=True))]
    # A key the earlier card and the new ones share makes a pair of every two of them.
    everyone = sorted([earlier, *ids])
    assert pairs == {(a, b) for a in everyone for b in everyone if a < b}



async def test_a_new_cards_identities_are_stored_in_the_order_the_event_gave_them(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    kinds = ["phone", "email", "telegram", "whatsapp"]
    cards = [NewCard(f"Person {n}", [Identity(kind, f"{kind}-{n}", {}) for kind in kinds], [])
             for n in range(8)]
    try:
        await upgrade_if_empty(engine)
        async with engine.begin() as conn:
            ids = [card.customer_id
                   for card in await SqlIntakeStore(conn).create_cards(cards, utcnow())]
            stored = (await conn.execute(select(identities.c.customer_id, identities.c.kind)
                                         .order_by(identities.c.id))).all()
    finally:
        await engine.dispose()

    # Ban offers and cards list a person's contacts in this order: first given, first shown.
    assert [tuple(row) for row in stored] == [(i, kind) for i in ids for kind in kinds]


def form(n: int) -> ContactEvent:
    return ContactEvent("webform", f"f{n}", utcnow(), (RawIdentity("phone", f"90 500 00 0{n}"),))


def offered(lead_ids: Sequence[int]) -> list[Announcement]:
    return [(f"lead.offered:{lead}", "lead.offered", {"lead_id": lead}) for lead in lead_ids]


async def test_opened_leads_are_announced_with_their_own_ids_in_their_order(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    now = utcnow()
    cards = [NewCard(f"Person {n}", [Identity("phone", f"+99890123460{n}", {})], [])
             for n in range(4)]
    try:
        await upgrade_if_empty(engine)
        async with engine.begin() as conn:
            store = SqlIntakeStore(conn)
            made = await store.create_cards(cards, now)
            # Two leads with the id kept with their card (where the store keeps one), two
            # without: those take theirs when they open.
            opened = await store.open_leads([
                (LeadToOpen(card.customer_id, None, prepare(form(n), POLICY),
                            lead_id=card.lead_id if n % 2 else None), Assignment("new"))
                for n, card in enumerate(made)], now, offered)
            stored_leads = dict((await conn.execute(
                select(leads.c.id, leads.c.customer_id))).all())
            messages = (await conn.execute(
                select(outbox.c.message_id, outbox.c.payload).order_by(outbox.c.id))).all()
    finally:
        await engine.dispose()

    lead_ids = [lead for lead, _ in opened]
    assert [stored_leads[lead] for lead in lead_ids] == [card.customer_id for card in made]
    assert [(row.message_id, row.payload) for row in messages] == [
        (message_id, payload) for message_id, _, payload in offered(lead_ids)]
    assert len(set(lead_ids)) == 4
