"""A RabbitMQ outage loses nothing: intake keeps accepting, the outbox drains once it is back."""

from __future__ import annotations

import asyncio
from collections import Counter

from routing.amqp import UNASSIGNED_QUEUE, manager_queue
from tests.routing.staffing import FLOOR
from tests.support.leadgate_http import LeadgateClient, running_leadgate
from tests.support.rabbitmq import broker_proxy, read_queue, url_through

LEADS = 500
ROOMY = {**FLOOR, "managers": {login: {**fields, "capacity": 1000}
                               for login, fields in FLOOR["managers"].items()}}


async def unsent(lg: LeadgateClient) -> int:
    metrics = (await lg.get("/metrics")).text
    [line] = [line for line in metrics.splitlines() if line.startswith("leadgate_outbox_unsent ")]
    return int(float(line.split()[1]))


async def outbox_state(lg: LeadgateClient, wanted: str) -> str:
    for _ in range(200):
        state = (await lg.get("/healthz")).body["loops"].get("outbox", {}).get("state", "")
        if state == wanted:
            break
        await asyncio.sleep(0.1)
    return str(state)


async def post_many(lg: LeadgateClient, count: int) -> list[int]:
    async def one(n: int) -> int:
        source = "instagram" if n % 2 else "site"
        answer = await lg.post_form("contact", {"phone": f"+99890{n:07d}", "utm_source": source})
        return answer.status

    statuses: list[int] = []
    for start in range(0, count, 50):
        statuses += await asyncio.gather(*(one(n) for n in range(start, start + 50)))
    return statuses


async def test_leads_posted_while_rabbitmq_is_down_all_reach_their_manager_queues_once(
    postgres_url: str, amqp_url: str
) -> None:
    async with broker_proxy() as proxy, running_leadgate(
        postgres_url, amqp_url=url_through(proxy.port), loops=("outbox",), **ROOMY
    ) as lg:
        async with proxy.outage():
            statuses = await post_many(lg, LEADS)
            waiting_during_outage = await unsent(lg)
            state_during_outage = await outbox_state(lg, "down")
        for _ in range(600):
            if await unsent(lg) == 0:
                break
            await asyncio.sleep(0.1)
        left_unsent = await unsent(lg)
        state_after = await outbox_state(lg, "ok")
    messages = []
    for queue in [UNASSIGNED_QUEUE, *(manager_queue(m) for m in range(1, 5))]:
        messages += await read_queue(queue)

    assert statuses == [201] * LEADS
    assert waiting_during_outage == LEADS
    assert left_unsent == 0
    assert (state_during_outage, state_after) == ("down", "ok")
    per_lead = Counter(m["payload"]["lead_id"] for m in messages)
    assert len(per_lead) == LEADS
    assert set(per_lead.values()) == {1}
    assert {m["routing_key"].rsplit(".", 1)[0] for m in messages} == {"lead.assigned"}


async def test_an_event_written_twice_to_the_outbox_is_published_once(
    postgres_url: str, amqp_url: str
) -> None:
    async with running_leadgate(postgres_url, amqp_url=amqp_url, loops=("outbox",),
                                **ROOMY) as lg:
        assert lg.services is not None
        for _ in range(2):
            await lg.store.announce("call.ringing.3", {"caller": "+998901234567"}, "ring:1:201")
        for _ in range(100):
            if await unsent(lg) == 0:
                break
            await asyncio.sleep(0.05)
    messages = await read_queue(manager_queue(3))

    assert [m["message_id"] for m in messages] == ["ring:1:201"]
