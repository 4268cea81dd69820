"""Speed-to-lead deadlines fire at their time, once, and survive a restart in between."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from crm_store.routing_tables import outbox
from crm_store.tables import leads
from leadgate.compose import Store
from leadgate.settings import Settings
from leads.model import ContactEvent, RawIdentity
from routing.deadlines import DeadlineDesk
from tests.reports.history import Clock, call_out
from tests.support.leadgate_http import opened_store

OLGA, AZIZ = 1, 2
T0 = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
FLOOR: dict[str, Any] = {
    "managers": {"olga": {"name": "Olga Petrova", "telegram_chat_id": 5001},
                 "aziz": {"name": "Aziz Yusupov", "telegram_chat_id": 5002,
                          "email": "aziz@example.uz", "hours": "Mon-Fri 09:00-18:00 UTC"}},
    "teams": {"sales": {"members": ["aziz"], "lead": "olga", "contact_minutes": 10}},
}


@asynccontextmanager
async def service(database_url: str) -> AsyncIterator[tuple[Store, DeadlineDesk]]:
    """One run of the service: a restart is leaving this block and entering it again."""
    settings = Settings(database_url=database_url, default_region="UZ", raw=FLOOR)
    async with opened_store(settings) as core:
        yield core, DeadlineDesk(core.engine, timedelta(minutes=15))


async def sent(core: Store) -> list[tuple[str, str]]:
    async with core.engine.connect() as conn:
        rows = await conn.execute(select(outbox.c.message_id, outbox.c.routing_key)
                                  .where(~outbox.c.routing_key.like("lead.assigned%"),
                                         ~outbox.c.routing_key.like("lead.unassigned%"))
                                  .order_by(outbox.c.id))
        return [(row.message_id.split(":", 1)[0], row.routing_key) for row in rows]


def form(n: int, at: datetime) -> ContactEvent:
    return ContactEvent(channel="webform", external_id=f"form-{n}", occurred_at=at,
                        identities=(RawIdentity("phone", f"+99890100000{n}"),))


def missed_call(n: int, at: datetime) -> ContactEvent:
    return ContactEvent(channel="call", external_id=f"missed-{n}", occurred_at=at,
                        identities=(RawIdentity("phone", f"+99890100000{n}"),),
                        details={"disposition": "missed"}, callback="request")


async def test_a_callback_reminds_at_its_due_time_and_escalates_after_the_grace_time(
    database_url: str,
) -> None:
    async with service(database_url) as (core, deadlines):
        lead = (await core.intake(missed_call(1, T0))).lead_id
        await core.desk.accept(lead or 0, AZIZ)
        early = await deadlines.sweep(T0 + timedelta(minutes=14, seconds=59))
        due = await deadlines.sweep(T0 + timedelta(minutes=15))
        again = await deadlines.sweep(T0 + timedelta(minutes=16))
        at_due = await sent(core)
    async with service(database_url) as (core, deadlines):  # restarted
        before_grace = await deadlines.sweep(T0 + timedelta(minutes=29))
        escalated = await deadlines.sweep(T0 + timedelta(minutes=30))
        later = await deadlines.sweep(T0 + timedelta(hours=5))
        everything = await sent(core)

    assert (early, due, again, before_grace, escalated, later) == (0, 1, 0, 0, 1, 0)
    assert at_due == [("lead.callback_due", f"lead.callback_due.{AZIZ}"),
                      ("lead.callback_overdue", f"lead.callback_overdue.{AZIZ}")]
    assert everything == [*at_due, ("lead.callback_overdue", f"lead.callback_overdue.{OLGA}")]


async def test_a_callback_made_in_time_fires_nothing(database_url: str) -> None:
    async with service(database_url) as (core, deadlines):
        lead = (await core.intake(missed_call(1, T0))).lead_id
        await core.intake(call_out(1, T0 + timedelta(minutes=5), AZIZ))
        fired = await deadlines.sweep(T0 + timedelta(hours=1))
        async with core.engine.connect() as conn:
            row = (await conn.execute(select(leads).where(leads.c.id == lead))).one()

    assert fired == 0
    assert row.callback_done_at == T0 + timedelta(minutes=5)
    assert (row.contacted_at, row.contacted_by) == (T0 + timedelta(minutes=5), AZIZ)


async def test_an_accepted_lead_nobody_contacts_in_working_time_escalates_to_the_team_lead(
    database_url: str,
) -> None:
    friday_evening = datetime(2026, 11, 6, 17, 55, tzinfo=UTC)  # 5 minutes before closing
    monday = datetime(2026, 11, 9, 9, 5, tzinfo=UTC)  # + the other 5 working minutes
    async with service(database_url) as (core, deadlines):
        core.desk.clock = Clock(friday_evening)
        quiet = (await core.intake(form(1, friday_evening))).lead_id or 0
        reached = (await core.intake(form(2, friday_evening))).lead_id or 0
        for lead in (quiet, reached):
            await core.desk.accept(lead, AZIZ)
        await core.intake(call_out(2, friday_evening + timedelta(minutes=1), AZIZ))
        async with core.engine.connect() as conn:
            due = await conn.scalar(select(leads.c.contact_due_at).where(leads.c.id == quiet))
        weekend = await deadlines.sweep(monday - timedelta(seconds=1))
    async with service(database_url) as (core, deadlines):  # restarted over the weekend
        fired = await deadlines.sweep(monday)
        again = await deadlines.sweep(monday + timedelta(hours=1))
        messages = await sent(core)

    assert due == monday
    assert (weekend, fired, again) == (0, 1, 0)
    assert messages == [("lead.contact_overdue", f"lead.contact_overdue.{OLGA}")]
