"""`[asterisk]` in the service: calls land on cards, missed calls ask for callbacks, screen pops
reach the ringing manager's queue, and click-to-call dials through AMI."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from crm_store.cards import customer_by_identity, customer_card
from crm_store.routing_tables import outbox
from crm_store.tokens import create_token
from tests.channels.telephony.ami_server import AmiTestServer, load_trace
from tests.channels.telephony.conftest import ASTERISK_SECTION
from tests.routing.staffing import FLOOR, IRA
from tests.support.leadgate_http import LeadgateClient, running_leadgate

WITH_PHONES = {**FLOOR, "managers": {
    **FLOOR["managers"],
    "ira": {**FLOOR["managers"]["ira"], "extension": "201"},
    "timur": {**FLOOR["managers"]["timur"], "extension": "202"},
}}


@pytest.fixture
async def ami_server() -> AsyncIterator[AmiTestServer]:
    """The AMI test server (as in the telephony channel's own tests)."""
    server = await AmiTestServer().start()
    try:
        yield server
    finally:
        await server.stop()


def pbx(server: AmiTestServer) -> dict[str, Any]:
    return {**WITH_PHONES, "asterisk": {**ASTERISK_SECTION, "port": server.port}}


async def replay(lg: LeadgateClient, server: AmiTestServer, trace: str, calls: int) -> None:
    await server.replay(load_trace(trace), speed=50)
    for _ in range(200):
        async with lg.core.engine.connect() as conn:
            card = await customer_card(conn, 1) if await customer_by_identity(
                conn, "phone", "+79161234567") else None
        if card and len([t for t in card["timeline"] if t["channel"] == "call"]) >= calls:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{trace} never reached the card")


async def test_a_missed_call_asks_for_a_callback_and_the_click_to_call_closes_it(
    database_url: str, ami_server: AmiTestServer
) -> None:
    async with running_leadgate(database_url, loops=("telephony",), **pbx(ami_server)) as lg:
        await ami_server.logged_in()
        await replay(lg, ami_server, "abandoned_while_ringing", calls=1)
        async with lg.core.engine.connect() as conn:
            [missed] = (await customer_card(conn, 1) or {})["leads"]
        await replay(lg, ami_server, "click_to_call_originate", calls=2)
        async with lg.core.engine.connect() as conn:
            card = await customer_card(conn, 1)

    assert card is not None
    [lead] = card["leads"]
    assert missed["callback_due_at"] is not None and missed["callback_done_at"] is None
    assert lead["id"] == missed["id"] and lead["callback_done_at"] is not None
    assert lead["attribution"]["source"] == "yandex_direct"
    assert [t["direction"] for t in card["timeline"]] == ["inbound", "outbound"]


async def test_a_ringing_extension_gets_a_screen_pop_with_the_callers_card(
    database_url: str, ami_server: AmiTestServer
) -> None:
    async with running_leadgate(database_url, loops=("telephony",), **pbx(ami_server)) as lg:
        await ami_server.logged_in()
        await replay(lg, ami_server, "abandoned_while_ringing", calls=1)
        await replay(lg, ami_server, "answered_recorded", calls=2)
        async with lg.core.engine.connect() as conn:
            pops = (await conn.execute(
                select(outbox.c.message_id, outbox.c.routing_key, outbox.c.payload)
                .where(outbox.c.routing_key.like("call.ringing.%")).order_by(outbox.c.id)
            )).all()

    assert [p.routing_key for p in pops] == [f"call.ringing.{IRA}"] * 2
    first, second = (p.payload for p in pops)
    assert first["card"]["phones"] == ["+79161234567"] and "customer_id" not in first["card"]
    assert second["card"]["customer_id"] == 1 and second["card"]["open_lead_id"] == 1
    assert second["call"]["caller_name"] == "Иван Петров"


async def test_click_to_call_rings_the_managers_extension_through_ami(
    database_url: str, ami_server: AmiTestServer
) -> None:
    async with running_leadgate(database_url, loops=("telephony",), **pbx(ami_server)) as lg:
        await ami_server.logged_in()
        lg.token = await create_token(lg.core.engine, "manager", "ira")
        started = await lg.request("POST", "/api/calls", json={"phone": "8 916 123-45-67"})
        someone_else = await lg.request("POST", "/api/calls",
                                        json={"manager_id": 1, "phone": "+79161234567"})
        lg.token = await create_token(lg.core.engine, "admin")
        no_phone = await lg.request("POST", "/api/calls", json={"manager_id": 1,
                                                                "phone": "+79161234567"})
        unknown = await lg.request("POST", "/api/calls", json={"manager_id": 99, "phone": "1"})
        bad_number = await lg.request("POST", "/api/calls", json={"manager_id": IRA,
                                                                  "phone": "hello"})
    [originate] = [a for a in ami_server.actions if a.get("Action") == "Originate"]

    assert started.status == 202 and started.body["extension"] == "201"
    assert originate["Channel"] == "PJSIP/201" and originate["Exten"] == "79161234567"
    assert originate["Async"] == "true" and originate["ChannelId"] == started.body["call_id"]
    assert someone_else.status == 403
    assert (no_phone.status, no_phone.body["detail"]) == (422, "the manager has no phone extension")
    assert unknown.status == 404
    assert bad_number.status == 422


async def test_click_to_call_without_asterisk_is_503(database_url: str) -> None:
    async with running_leadgate(database_url, **WITH_PHONES) as lg:
        lg.token = await create_token(lg.core.engine, "admin")
        answer = await lg.request("POST", "/api/calls", json={"manager_id": IRA,
                                                              "phone": "+79161234567"})

    assert (answer.status, answer.body["error"]) == (503, "telephony_unavailable")
