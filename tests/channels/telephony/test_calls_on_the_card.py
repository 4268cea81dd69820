"""Each captured call, replayed into the real store, has the right lead and callback outcome."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from crm_store.tables import leads, touches
from leadgate.bootstrap import Core
from leads.model import ContactEvent, IntakeResult
from tests.channels.telephony.ami_server import AmiTestServer, load_trace
from tests.channels.telephony.conftest import running_channel, wait_for
from tests.channels.telephony.synthetic import copy_of
from tests.store_counts import row_counts

CALLBACK_ASKED = ("missed_no_answer", "busy", "abandoned_while_ringing", "queue_abandoned")


class StoreSink:
    """The real intake sink, counting what it stored (the channel needs no more)."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.stored = 0

    async def __call__(self, event: ContactEvent) -> IntakeResult:
        result = await self.core.sink(event)
        self.stored += 1
        return result


async def replayed(core: Core, server: AmiTestServer, *names: str) -> None:
    sink = StoreSink(core)
    async with running_channel(server, sink):
        await server.logged_in()
        for name in names:
            await server.replay(load_trace(name), speed=50)
        await wait_for(lambda: sink.stored == len(names))


async def lead_rows(core: Core) -> list[dict[str, object]]:
    async with core.engine.connect() as conn:
        return [dict(r._mapping) for r in await conn.execute(select(leads).order_by(leads.c.id))]


@pytest.mark.parametrize("trace", CALLBACK_ASKED)
async def test_an_unanswered_call_opens_a_lead_with_a_callback_due(
    core: Core, ami_server: AmiTestServer, trace: str
) -> None:
    await replayed(core, ami_server, trace)

    [lead] = await lead_rows(core)
    assert lead["channel"] == "call"
    assert lead["callback_due_at"] is not None and lead["callback_done_at"] is None


@pytest.mark.parametrize("trace", ["answered_recorded", "queue_answered"])
async def test_an_answered_call_opens_a_lead_without_a_callback(
    core: Core, ami_server: AmiTestServer, trace: str
) -> None:
    await replayed(core, ami_server, trace)

    [lead] = await lead_rows(core)
    assert lead["callback_due_at"] is None


async def test_a_later_answered_call_from_the_number_closes_its_callback(
    core: Core, ami_server: AmiTestServer
) -> None:
    await replayed(core, ami_server, "abandoned_while_ringing", "answered_recorded")

    [lead] = await lead_rows(core)  # same caller: one lead, two touches
    assert lead["callback_done_at"] is not None
    assert (await row_counts(core.engine))["touches"] == 2


async def test_an_outbound_call_to_a_stranger_is_logged_but_opens_no_lead(
    core: Core, ami_server: AmiTestServer
) -> None:
    await replayed(core, ami_server, "click_to_call_originate")

    counts = await row_counts(core.engine)
    assert (counts["touches"], counts["leads"]) == (1, 0)
    async with core.engine.connect() as conn:
        direction = await conn.scalar(select(touches.c.direction))
    assert direction == "outbound"


async def test_a_call_from_our_own_number_never_creates_a_lead(
    core: Core, ami_server: AmiTestServer
) -> None:
    sink = StoreSink(core)
    async with running_channel(ami_server, sink):
        await ami_server.logged_in()
        for message in copy_of(load_trace("answered_recorded"), 1, caller="74951230000"):
            await ami_server.send(message)
        await asyncio.sleep(0.5)  # the call has ended; nothing may be stored for it

    assert sink.stored == 0
    assert (await row_counts(core.engine))["touches"] == 0
