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
