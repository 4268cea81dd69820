"""A group committed at once ends exactly as if its events had come one by one."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from crm_store import screening
from crm_store.engine import create_engine
from crm_store.migrate import upgrade_if_empty
from crm_store.tables import leads
from crm_store.uow import SqlUnitOfWork
from leads.batch_intake import intake_group
from leads.intake import IntakePolicy, intake, prepare
from leads.model import ContactEvent, RawIdentity, utcnow
from leads.normalize import Identity
from leads.ports import Survey
from tests.fakes import NoRouting

POLICY = IntakePolicy(default_region="UZ")


def form(external_id: str, *identities: tuple[str, str]) -> ContactEvent:
    raw = tuple(RawIdentity(kind, value) for kind, value in identities)  # type: ignore[arg-type]
    return ContactEvent("webform", external_id, utcnow(), raw)


async def test_group_with_new_shared_repeated_and_known_people(database_url: str) -> None:
    engine = create_engine(database_url)
    await upgrade_if_empty(engine)
    try:
        async with SqlUnitOfWork(engine) as uow:
            known = await intake(
                uow,
                prepare(form("old", ("email", "known@x.uz")), POLICY),
                POLICY,
                NoRouting(),
                utcnow(),
            )
            await uow.commit()
        group = [
            form("a", ("phone", "90 111 11 11")),
            form("b", ("phone", "90 222 22 22"), ("email", "b@x.uz")),
            form("c", ("phone", "+998901111111")),
            form("a", ("phone", "90 111 11 11")),
            form("e", ("email", "KNOWN@x.uz"), ("phone", "90 333 33 33")),
        ]
        async with SqlUnitOfWork(engine) as uow:
            results = await intake_group(
                uow, [prepare(e, POLICY) for e in group], POLICY, NoRouting(), utcnow()
            )
            await uow.commit()
    finally:
        await engine.dispose()

    a, b, c, a_again, e = results
    assert a.customer_id == c.customer_id and a.lead_id == c.lead_id
    assert a_again.deduplicated and a_again.touch_id == a.touch_id
    assert b.customer_id not in (a.customer_id, known.customer_id)
    assert e.customer_id == known.customer_id and e.lead_id == known.lead_id
    assert len({a.touch_id, b.touch_id, c.touch_id, e.touch_id}) == 4


class CountingStore:
    """The real intake store, counting the ban look-ups made through it (a survey is one)."""

    def __init__(self, store: object) -> None:
        self._store = store
        self.ban_lookups = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    async def banned(self, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
        self.ban_lookups += 1
        return await self._store.banned(keys)  # type: ignore[attr-defined, no-any-return]

    async def survey(self, touches: list[tuple[str, str]], bans: list[tuple[str, str]],
                     found: list[Identity]) -> Survey:
        self.ban_lookups += 1
        return await self._store.survey(  # type: ignore[attr-defined, no-any-return]
            touches, bans, found)


async def test_a_group_checks_bans_once_and_keeps_only_banned_events_aside(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    await upgrade_if_empty(engine)
    try:
        async with engine.begin() as conn:
            await screening.add_ban(conn, ("phone", "+998901111111"), None, utcnow())
            await screening.add_ban(conn, ("domain", "spam.uz"), None, utcnow())
        group = [
            form("a", ("phone", "90 111 11 11")),
            form("b", ("phone", "90 222 22 22")),
            form("c", ("email", "x@spam.uz")),
            form("d", ("email", "d@fine.uz")),
        ]
        async with SqlUnitOfWork(engine) as uow:
            store = CountingStore(uow.intake)
            uow.intake = store  # type: ignore[assignment]
            results = await intake_group(
                uow, [prepare(e, POLICY) for e in group], POLICY, NoRouting(), utcnow()
            )
            await uow.commit()
    finally:
        await engine.dispose()

    a, b, c, d = results
    assert store.ban_lookups == 1
    assert a.quarantined and c.quarantined and a.lead_id is None and c.lead_id is None
    assert b.lead_id and d.lead_id and not b.quarantined


async def test_leads_opened_in_bulk_or_alone_are_dated_by_their_event(database_url: str) -> None:
    engine = create_engine(database_url)
    await upgrade_if_empty(engine)
    hour_ago = utcnow() - timedelta(hours=1)
    groups = [[replace(form("alone", ("phone", "90 444 44 44")), occurred_at=hour_ago)],
              [replace(form(f"g{n}", ("phone", f"90 555 55 5{n}")), occurred_at=hour_ago)
               for n in range(2)]]
    try:
        for group in groups:
            async with SqlUnitOfWork(engine) as uow:
                await intake_group(uow, [prepare(e, POLICY) for e in group], POLICY,
                                   NoRouting(), utcnow())
                await uow.commit()
        async with engine.connect() as conn:
            dated = (await conn.execute(select(leads.c.created_at, leads.c.last_touch_at))).all()
    finally:
        await engine.dispose()

    assert dated == [(hour_ago, hour_ago)] * 3
