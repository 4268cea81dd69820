"""A new lead is stored once, already placed: routing decides before the insert, not after."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select

from crm_store.engine import create_engine
from crm_store.migrate import upgrade_if_empty
from crm_store.routing_tables import manager_loads, outbox
from crm_store.tables import leads
from crm_store.uow import SqlUnitOfWork
from leads.batch_intake import intake_group
from leads.intake import IntakePolicy, prepare
from leads.model import ContactEvent, RawIdentity, utcnow
from routing.config import RoutingConfig
from routing.router import RulesRouter
from routing.sync import apply_config
from tests.routing.staffing import FLOOR

POLICY = IntakePolicy(default_region="UZ")


def form(n: int, **fields: Any) -> ContactEvent:
    phone = RawIdentity("phone", f"+9989010000{n:02d}")
    return ContactEvent("webform", f"f{n}", utcnow(), (phone,), **fields)


async def test_new_leads_are_inserted_assigned_and_never_updated(database_url: str) -> None:
    engine = create_engine(database_url)
    config = RoutingConfig.from_toml(FLOOR)
    router, written = RulesRouter(config), []
    try:
        await upgrade_if_empty(engine)
        await apply_config(engine, config)
        event.listen(engine.sync_engine, "before_cursor_execute",
                     lambda _c, _cur, statement, *_: written.append(statement.split()[:2]))
        results = []
        for group in ([form(1), form(2, callback="request")], [form(3)]):
            async with SqlUnitOfWork(engine) as uow:
                results += await intake_group(uow, [prepare(e, POLICY) for e in group], POLICY,
                                              router, utcnow())
                await uow.commit()
        async with engine.connect() as conn:
            stored = (await conn.execute(select(leads).order_by(leads.c.id))).all()
            messages = (await conn.execute(select(outbox.c.message_id))).scalars().all()
            loads = {row.manager_id: row.load for row in await conn.execute(select(manager_loads))}
    finally:
        await engine.dispose()

    assert ["UPDATE", "leads"] not in written
    assert [lead.status for lead in stored] == ["assigned"] * 3
    assert all(lead.manager_id and lead.assigned_at and lead.offer_deadline_at
               and lead.team == "sales" and lead.routing["decision"] for lead in stored)
    assert [r.manager_name for r in results] == ["Olga Petrova", "Aziz Yusupov", "Olga Petrova"]
    assert [lead.callback_due_at is not None for lead in stored] == [False, True, False]
    assert stored[1].callback_requested_at is not None
    assert sorted(messages) == sorted(f"lead.assigned:{lead.id}:1" for lead in stored)
    assert loads == {1: 2, 2: 1}


async def test_new_peoples_leads_and_their_announcements_are_written_by_one_statement(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url)
    router, written = RulesRouter(RoutingConfig.from_toml(FLOOR)), []
    try:
        await upgrade_if_empty(engine)
        await apply_config(engine, RoutingConfig.from_toml(FLOOR))
        for group, counted in (((4, 5), False), ((6, 7, 8), True)):  # the first prepares
            async with SqlUnitOfWork(engine) as uow:
                if counted:
                    # The hot statements go straight to asyncpg (crm_store.direct): count there.
                    raw = await uow.connection.get_raw_connection()
                    raw.driver_connection.add_query_logger(
                        lambda query: written.append(" ".join(query.query.split())))
                results = await intake_group(uow, [prepare(form(n), POLICY) for n in group],
                                             POLICY, router, utcnow())
                await uow.commit()
        async with engine.connect() as conn:
            messages = (await conn.execute(select(outbox.c.message_id))).scalars().all()
    finally:
        await engine.dispose()

    transaction = written[:written.index("COMMIT;") + 1]
    # BEGIN, the survey, the cards, the teams' boards, then the leads with their touches and
    # announcements, COMMIT: no round trip of its own for the outbox.
    assert len(transaction) == 6
    assert not any(statement.startswith("INSERT INTO outbox") for statement in transaction)
    assert {f"lead.assigned:{r.lead_id}:1" for r in results} <= set(messages)
    assert len(messages) == 5
