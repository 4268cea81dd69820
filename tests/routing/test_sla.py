"""An offer not accepted in time is re-offered, then breaches to the team queue, over restarts."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from crm_store.routing_tables import outbox
from crm_store.tables import leads
from crm_store.tokens import create_token
from tests.routing.staffing import IRA, OLGA, TIMUR, floor
from tests.support.leadgate_http import LeadgateClient, running_leadgate

SHORT = floor(accept_minutes=0.02, sla_tick_seconds=0.1)  # 1.2 s to accept


async def lead_row(lg: LeadgateClient, lead_id: int) -> Any:
    async with lg.store.engine.connect() as conn:
        return (await conn.execute(select(leads).where(leads.c.id == lead_id))).one()


async def until(lg: LeadgateClient, lead_id: int, offers: int, status: str) -> Any:
    for _ in range(300):
        row = await lead_row(lg, lead_id)
        if len(row.routing.get("offers", [])) == offers and row.status == status:
            return row
        await asyncio.sleep(0.05)
    raise AssertionError(f"lead {lead_id}: {row.status} with {row.routing.get('offers')}")


async def messages(lg: LeadgateClient) -> list[tuple[str, str]]:
    async with lg.store.engine.connect() as conn:
        rows = await conn.execute(
            select(outbox.c.message_id, outbox.c.routing_key).order_by(outbox.c.id))
        return [(row.message_id, row.routing_key) for row in rows]


async def test_an_unaccepted_lead_is_reoffered_then_breaches_to_the_team_queue(
    database_url: str,
) -> None:
    async with running_leadgate(database_url, loops=("outbox", "sla"), **SHORT) as lg:
        posted = await lg.post_form("contact", {"phone": "+998901234567",
                                                "utm_source": "instagram"})
        lead_id = posted.body["lead_id"]
        await until(lg, lead_id, offers=2, status="assigned")
    # A restart between the re-offer and the breach: the timer lives in the store. Two services
    # sweep at once, as two processes of one cluster would, and still act once.
    async with running_leadgate(database_url, loops=("outbox", "sla"), **SHORT) as lg, \
            running_leadgate(database_url, loops=("sla",), **SHORT):
        row = await until(lg, lead_id, offers=2, status="new")
        await asyncio.sleep(0.5)  # more sweeps pass; nothing may change any more
        sent = await messages(lg)
        final = await lead_row(lg, lead_id)

    assert [o["manager_id"] for o in row.routing["offers"]] == [IRA, TIMUR]
    assert final.manager_id is None and final.team == "instagram"
    assert final.routing == row.routing
    assert sent == [
        (f"lead.assigned:{lead_id}:1", f"lead.assigned.{IRA}"),
        (f"lead.assigned:{lead_id}:2", f"lead.assigned.{TIMUR}"),
        (f"lead.withdrawn:{lead_id}:1", f"lead.withdrawn.{IRA}"),
        (f"lead.unassigned:{lead_id}:1", "lead.unassigned"),
        (f"lead.withdrawn:{lead_id}:2", f"lead.withdrawn.{TIMUR}"),
        (f"lead.sla_breached:{lead_id}:2", f"lead.sla_breached.{OLGA}"),  # the team lead
    ]


async def test_accepting_in_time_stops_the_timer(database_url: str) -> None:
    async with running_leadgate(database_url, loops=("outbox", "sla"), **SHORT) as lg:
        lg.token = await create_token(lg.store.engine, "admin")
        posted = await lg.post_form("contact", {"phone": "+998901234567",
                                                "utm_source": "instagram"})
        lead_id = posted.body["lead_id"]
        accepted = await lg.request("POST", f"/api/leads/{lead_id}/accept", json={})
        await asyncio.sleep(1.5)  # past the accept time: an accepted lead stays put
        row = await lead_row(lg, lead_id)

    assert accepted.status == 200 and accepted.body["manager_id"] == IRA
    assert (row.status, row.manager_id, len(row.routing["offers"])) == ("accepted", IRA, 1)
