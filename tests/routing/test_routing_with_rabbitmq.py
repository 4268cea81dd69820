"""Leads reach the right manager's RabbitMQ queue: rules, sticky owner, away, capacity."""

from __future__ import annotations

import asyncio
from typing import Any

import aio_pika

from crm_store.tokens import create_token
from routing.amqp import DEAD_LETTER_QUEUE, UNASSIGNED_QUEUE, manager_queue
from tests.routing.staffing import FLOOR, IRA, TIMUR, change_manager
from tests.support.leadgate_http import LeadgateClient, running_leadgate
from tests.support.rabbitmq import AMQP_URL, wait_for_messages

RELAY_ONLY = ("outbox", "sla")  # no notifier consumer: the test reads the queues itself


async def post(lg: LeadgateClient, phone: str, source: str = "instagram") -> int:
    answer = await lg.post_form("contact", {"phone": phone, "utm_source": source})
    assert answer.status == 201, answer.body
    return int(answer.body["lead_id"])


async def assigned_to(manager_id: int, lead_id: int) -> dict[str, Any]:
    [message] = await wait_for_messages(manager_queue(manager_id), 1)
    assert message["routing_key"] == f"lead.assigned.{manager_id}"
    assert message["payload"]["lead_id"] == lead_id
    return dict(message["payload"])


async def close(lg: LeadgateClient, lead_id: int, accepted_by: int | None = None) -> None:
    if accepted_by is not None:  # accepting makes the manager the card's owner
        body = {"manager_id": accepted_by}
        answer = await lg.request("POST", f"/api/leads/{lead_id}/accept", json=body)
        assert answer.status == 200, answer.body
    answer = await lg.request("POST", f"/api/leads/{lead_id}/close", json={"status": "won"})
    assert answer.status == 200, answer.body


async def test_instagram_lead_lands_in_the_instagram_team_and_sticks_to_its_manager(
    postgres_url: str, amqp_url: str
) -> None:
    async with running_leadgate(postgres_url, amqp_url=amqp_url, loops=RELAY_ONLY,
                                **FLOOR) as lg:
        lg.token = await create_token(lg.store.engine, "admin")

        first = await post(lg, "+998 90 111 22 33")
        offer = await assigned_to(IRA, first)
        decision = (await lg.get(f"/api/leads/{first}")).body["routing"]
        await close(lg, first, accepted_by=IRA)
        second = await post(lg, "90 111-22-33", source="google")
        sticky = await assigned_to(IRA, second)

    assert offer["team"] == "instagram"
    assert offer["manager"]["name"] == "Ira Kim"
    assert decision["rule"]["position"] == 1
    assert decision["decision"]["manager_id"] == IRA
    assert [c["manager_id"] for c in decision["decision"]["considered"]] == [IRA, TIMUR]
    assert sticky["reason"] == "sticky owner"


async def test_with_the_owner_away_the_least_loaded_member_gets_the_lead(
    postgres_url: str, amqp_url: str
) -> None:
    async with running_leadgate(postgres_url, amqp_url=amqp_url, loops=RELAY_ONLY,
                                **FLOOR) as lg:
        lg.token = await create_token(lg.store.engine, "admin")
        first = await post(lg, "+998901112233")
        await assigned_to(IRA, first)
        await post(lg, "+998901112244")  # Ira now has one more open lead than Timur
        await wait_for_messages(manager_queue(TIMUR), 1)
        await close(lg, first, accepted_by=IRA)
        await change_manager(lg.store.engine, "ira", available=False)

        again = await post(lg, "+998901112233")
        offer = await assigned_to(TIMUR, again)

    assert offer["reason"].startswith("owner not free")


async def test_with_everyone_at_capacity_the_lead_waits_until_a_lead_closes(
    postgres_url: str, amqp_url: str
) -> None:
    async with running_leadgate(postgres_url, amqp_url=amqp_url, loops=RELAY_ONLY,
                                **FLOOR) as lg:
        lg.token = await create_token(lg.store.engine, "admin")
        for login in ("ira", "timur"):
            await change_manager(lg.store.engine, login, capacity=1)
        ira_lead = await post(lg, "+998901110001")
        await assigned_to(IRA, ira_lead)
        await post(lg, "+998901110002")
        await wait_for_messages(manager_queue(TIMUR), 1)

        waiting = await post(lg, "+998901110003")
        [queued] = await wait_for_messages(UNASSIGNED_QUEUE, 1)
        status_while_full = (await lg.get(f"/api/leads/{waiting}")).body["status"]
        await close(lg, ira_lead)
        offer = await assigned_to(IRA, waiting)

    assert queued["payload"]["lead_id"] == waiting
    assert queued["payload"]["team"] == "instagram"
    assert status_while_full == "new"
    assert offer["team"] == "instagram"


async def test_the_topology_is_declared_at_start_up_for_every_manager(
    postgres_url: str, amqp_url: str
) -> None:
    async with running_leadgate(postgres_url, amqp_url=amqp_url, loops=RELAY_ONLY, **FLOOR):
        for _ in range(100):
            if await queues_exist(4):
                break
            await asyncio.sleep(0.05)
        declared = await queues_exist(4)

    assert declared


async def queues_exist(managers: int) -> bool:
    async with await aio_pika.connect(AMQP_URL) as connection:
        for name in [UNASSIGNED_QUEUE, DEAD_LETTER_QUEUE,
                     *(manager_queue(m) for m in range(1, managers + 1))]:
            channel = await connection.channel()
            try:
                await channel.declare_queue(name, passive=True)
            except aio_pika.exceptions.ChannelClosed:
                return False
    return True
