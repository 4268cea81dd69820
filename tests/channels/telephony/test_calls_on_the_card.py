"""Each captured call, replayed into the real store, has the right lead and callback outcome."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from crm_store.tables import leads, touches
from leadgate.compose import Store
from leads.model import ContactEvent, IntakeResult
from tests.channels.telephony.ami_server import AmiTestServer, load_trace
from tests.channels.telephony.conftest import running_channel, wait_for
from tests.channels.telephony.synthetic import copy_of
from tests.store_counts import row_counts

CALLBACK_ASKED = (
    "missed_no_answer", "busy", "abandoned_while_ringing", "queue_abandoned", "queue_timeout"
)  # fmt: skip


class StoreSink:
    """The real intake sink, counting what it stored (the channel needs no more)."""

    def __init__(self, core: Store) -> None:
        self.store = core
        self.stored = 0

    async def __call__(self, event: ContactEvent) -> IntakeResult:
        result = await self.store.intake(event)
        self.stored += 1
        return result


async def replayed(core: Store, server: AmiTestServer, *names: str, calls: int = 0) -> None:
    sink = StoreSink(core)
    async with running_channel(server, sink):
        await server.logged_in()
        for name in names:
            trace = load_trace(name)
            server.answers = trace.answers
            await server.replay(trace, speed=50)
        await wait_for(lambda: sink.stored == (calls or len(names)))


async def lead_rows(core: Store) -> list[dict[str, object]]:
    async with core.engine.connect() as conn:
        return [dict(r._mapping) for r in await conn.execute(select(leads).order_by(leads.c.id))]


@pytest.mark.parametrize("trace", CALLBACK_ASKED)
async def test_an_unanswered_call_opens_a_lead_with_a_callback_due(
    core: Store, ami_server: AmiTestServer, trace: str
) -> None:
    await replayed(core, ami_server, trace)

    [lead] = await lead_rows(core)
    assert lead["channel"] == "call"
    assert lead["callback_due_at"] is not None and lead["callback_done_at"] is None


@pytest.mark.parametrize("trace", ["answered_recorded", "queue_answered", "connect_mid_call"])
async def test_an_answered_call_opens_a_lead_without_a_callback(
    core: Store, ami_server: AmiTestServer, trace: str
) -> None:
    await replayed(core, ami_server, trace)

    [lead] = await lead_rows(core)
    assert lead["callback_due_at"] is None


async def test_a_later_answered_call_from_the_number_closes_its_callback(
    core: Store, ami_server: AmiTestServer
) -> None:
    await replayed(core, ami_server, "abandoned_while_ringing", "answered_recorded")

    [lead] = await lead_rows(core)  # same caller: one lead, two touches
    assert lead["callback_done_at"] is not None
    assert (await row_counts(core.engine))["touches"] == 2


async def test_an_outbound_call_to_a_stranger_is_logged_but_opens_no_lead(
    core: Store, ami_server: AmiTestServer
) -> None:
    await replayed(core, ami_server, "click_to_call_originate")

    counts = await row_counts(core.engine)
    assert (counts["touches"], counts["leads"]) == (1, 0)
    async with core.engine.connect() as conn:
        direction = await conn.scalar(select(touches.c.direction))
    assert direction == "outbound"


async def test_a_call_from_our_own_number_never_creates_a_lead(
    core: Store, ami_server: AmiTestServer
) -> None:
    sink = StoreSink(core)
    async with running_channel(ami_server, sink):
        await ami_server.logged_in()
        for message in copy_of(load_trace("answered_recorded"), 1, caller="74951230000"):
            await ami_server.send(message)
        await asyncio.sleep(0.5)  # the call has ended; nothing may be stored for it

    assert sink.stored == 0
    assert (await row_counts(core.engine))["touches"] == 0


async def touch_details(core: Store) -> list[dict[str, object]]:
    async with core.engine.connect() as conn:
        return [dict(r.details) for r in await conn.execute(
            select(touches.c.details).order_by(touches.c.id))]  # fmt: skip


async def test_a_call_joined_in_the_middle_is_on_the_card_once(
    core: Store, ami_server: AmiTestServer
) -> None:
    await replayed(core, ami_server, "connect_mid_call")

    counts = await row_counts(core.engine)
    assert (counts["customers"], counts["leads"], counts["touches"]) == (1, 1, 1)
    [details] = await touch_details(core)
    assert (details["disposition"], details["answered_by"]) == ("answered", "201")


async def test_one_caller_twice_back_to_back_is_one_lead_whose_answered_call_closes_the_callback(
    core: Store, ami_server: AmiTestServer
) -> None:
    await replayed(core, ami_server, "two_calls_same_caller_back_to_back", calls=2)

    [lead] = await lead_rows(core)
    assert lead["callback_due_at"] is not None and lead["callback_done_at"] is not None
    counts = await row_counts(core.engine)
    assert (counts["customers"], counts["touches"]) == (1, 2)
    missed, answered = await touch_details(core)
    assert (missed["disposition"], answered["disposition"]) == ("missed", "answered")
    assert str(answered["recording"]).endswith("-1796049731.9.wav")


async def test_a_click_to_call_the_manager_missed_leaves_the_callback_open(
    core: Store, ami_server: AmiTestServer
) -> None:
    await replayed(core, ami_server, "abandoned_while_ringing")
    sink = StoreSink(core)
    async with running_channel(ami_server, sink) as (channel, _):
        await ami_server.logged_in()
        await ami_server.listed()
        call_id = await channel.originate("201", "+79161234567")
        captured = b"leadgate-3f9c1e7a5b2d4c6e8f0a1b2c3d4e5f60"
        trace = load_trace("click_to_call_manager_no_answer")
        await ami_server.replay(trace, speed=50, replace={captured: call_id.encode()})
        await asyncio.sleep(0.5)

    [lead] = await lead_rows(core)
    assert lead["callback_due_at"] is not None and lead["callback_done_at"] is None
    assert (sink.stored, (await row_counts(core.engine))["touches"]) == (0, 1)


async def test_a_call_intake_refuses_is_recorded_and_every_later_call_is_stored(
    core: Store, ami_server: AmiTestServer
) -> None:
    answered = load_trace("answered_recorded")
    # A caller id no phone number can be read from: intake refuses the call for good.
    unusable = [m.replace(b"79161234567", b"0000000") for _, m in answered.messages]
    good = [copy_of(load_trace("busy"), n, caller=f"7903111{n:04d}") for n in range(3)]
    sink = StoreSink(core)
    async with running_channel(ami_server, sink) as (channel, _):
        await ami_server.logged_in()
        for message in unusable + [m for call in good for m in call]:
            await ami_server.send(message)
        await wait_for(lambda: sink.stored == 3)
        assert channel.delivery is not None
        await wait_for(lambda: len(channel.delivery.refused) == 1)
        [(refused_id, reason)] = channel.delivery.refused
    assert (refused_id, reason) == ("1795334023.0", "no_usable_contact")
    assert (await row_counts(core.engine))["touches"] == 3
