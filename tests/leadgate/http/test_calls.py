"""POST /api/calls through the real HTTP app and the AMI test server: click-to-call."""

from __future__ import annotations

from typing import Any

import pytest

from crm_store.tokens import create_token
from tests.channels.telephony.ami_server import AmiTestServer, load_trace
from tests.channels.telephony.conftest import (
    ASTERISK_SECTION,
    ami_server_fixture,  # noqa: F401 - a fixture
)
from tests.leadgate.compose.test_telephony_channel import WITH_PHONES, calls_on_the_card, pbx
from tests.leadgate.test_run import _free_port
from tests.routing.staffing import IRA
from tests.support.leadgate_http import running_leadgate

TRACE_CALL_ID = b"1795334165.16"  # the captured Originate's first channel and Linkedid


async def test_click_to_call_rings_the_managers_extension_through_ami(
    database_url: str, ami_server: AmiTestServer
) -> None:
    async with running_leadgate(database_url, loops=("telephony",), **pbx(ami_server)) as lg:
        await ami_server.logged_in()
        lg.token = await create_token(lg.store.engine, "manager", "ira")
        started = await lg.request("POST", "/api/calls", json={"phone": "8 916 123-45-67"})
        someone_else = await lg.request("POST", "/api/calls",
                                        json={"manager_id": 1, "phone": "+79161234567"})
        lg.token = await create_token(lg.store.engine, "admin")
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
        lg.token = await create_token(lg.store.engine, "admin")
        answer = await lg.request("POST", "/api/calls", json={"manager_id": IRA,
                                                              "phone": "+79161234567"})

    assert (answer.status, answer.body["error"]) == (503, "telephony_unavailable")


async def test_the_dialed_call_is_tracked_by_its_channel_id_and_lands_on_the_card(
    database_url: str, ami_server: AmiTestServer
) -> None:
    async with running_leadgate(database_url, loops=("telephony",), **pbx(ami_server)) as lg:
        await ami_server.logged_in()
        lg.token = await create_token(lg.store.engine, "admin")
        started = await lg.request("POST", "/api/calls", json={"manager_id": IRA,
                                                               "phone": "+7 916 123 45 67"})
        call_id = started.body["call_id"].encode()
        for _, message in load_trace("click_to_call_originate").messages:
            await ami_server.send(message.replace(TRACE_CALL_ID, call_id))
        await calls_on_the_card(lg, calls=1)
        card = await lg.request("GET", "/api/customers", params={"phone": "+7 916 123-45-67"})

    [call] = card.body["timeline"]
    assert started.status == 202
    assert (call["external_id"], call["direction"]) == (started.body["call_id"], "outbound")


@pytest.mark.parametrize("body", [
    {"manager_id": IRA},
    {"manager_id": IRA, "phone": ""},
    {"manager_id": IRA, "phone": 79161234567},
    {"manager_id": "ira", "phone": "+79161234567"},
    {"manager_id": True, "phone": "+79161234567"},
    {"phone": "+79161234567"},
])
async def test_a_call_request_without_a_manager_and_a_number_is_422_json(
    database_url: str, ami_server: AmiTestServer, body: dict[str, Any]
) -> None:
    async with running_leadgate(database_url, loops=("telephony",), **pbx(ami_server)) as lg:
        lg.token = await create_token(lg.store.engine, "admin")
        answer = await lg.request("POST", "/api/calls", json=body)

    assert (answer.status, answer.body["error"]) == (422, "invalid")
    assert all(a.get("Action") != "Originate" for a in ami_server.actions)


async def test_click_to_call_while_asterisk_is_unreachable_is_503(database_url: str) -> None:
    down = {**WITH_PHONES, "asterisk": {**ASTERISK_SECTION, "port": _free_port()}}
    async with running_leadgate(database_url, loops=("telephony",), **down) as lg:
        lg.token = await create_token(lg.store.engine, "admin")
        answer = await lg.request("POST", "/api/calls", json={"manager_id": IRA,
                                                              "phone": "+79161234567"})

    assert (answer.status, answer.body["error"]) == (503, "telephony_unavailable")
