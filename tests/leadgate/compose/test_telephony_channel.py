"""`[asterisk]` in the service: calls land on cards, missed calls ask for callbacks, screen pops
reach the ringing manager's queue; `leadgate run` with [asterisk] does it all."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from crm_store.cards import customer_by_identity, customer_card
from crm_store.routing_tables import outbox
from tests.channels.telephony.ami_server import AmiTestServer, load_trace
from tests.channels.telephony.conftest import (
    ASTERISK_SECTION,
    ami_server_fixture,  # noqa: F401 - a fixture
)
from tests.leadgate.test_run import _free_port
from tests.routing.staffing import FLOOR, IRA, TIMUR
from tests.support.leadgate_http import LeadgateClient, running_leadgate

WITH_PHONES = {**FLOOR, "managers": {
    **FLOOR["managers"],
    "ira": {**FLOOR["managers"]["ira"], "extension": "201"},
    "timur": {**FLOOR["managers"]["timur"], "extension": "202"},
}}


def pbx(server: AmiTestServer) -> dict[str, Any]:
    return {**WITH_PHONES, "asterisk": {**ASTERISK_SECTION, "port": server.port}}


async def replay(lg: LeadgateClient, server: AmiTestServer, trace: str, calls: int) -> None:
    await server.replay(load_trace(trace), speed=50)
    await calls_on_the_card(lg, calls)


async def calls_on_the_card(lg: LeadgateClient, calls: int) -> None:
    """Wait until the test caller's card shows `calls` calls (the channel is asynchronous)."""
    for _ in range(200):
        async with lg.store.engine.connect() as conn:
            card = await customer_card(conn, 1) if await customer_by_identity(
                conn, "phone", "+79161234567") else None
        if card and len([t for t in card["timeline"] if t["channel"] == "call"]) >= calls:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the card never showed {calls} calls")


async def test_a_missed_call_asks_for_a_callback_and_the_click_to_call_closes_it(
    database_url: str, ami_server: AmiTestServer
) -> None:
    async with running_leadgate(database_url, loops=("telephony",), **pbx(ami_server)) as lg:
        await ami_server.logged_in()
        await replay(lg, ami_server, "abandoned_while_ringing", calls=1)
        async with lg.store.engine.connect() as conn:
            [missed] = (await customer_card(conn, 1) or {})["leads"]
        await replay(lg, ami_server, "click_to_call_originate", calls=2)
        async with lg.store.engine.connect() as conn:
            card = await customer_card(conn, 1)

    assert card is not None
    [lead] = card["leads"]
    assert missed["callback_due_at"] is not None and missed["callback_done_at"] is None
    assert lead["id"] == missed["id"] and lead["callback_done_at"] is not None
    assert lead["attribution"]["source"] == "yandex_direct"
    assert [t["direction"] for t in card["timeline"]] == ["inbound", "outbound"]
    assert [t["details"].get("manager_id") for t in card["timeline"]] == [None, IRA]


async def test_a_dialed_numbers_source_routes_the_call_like_a_utm_source(
    database_url: str, ami_server: AmiTestServer
) -> None:
    config = pbx(ami_server)
    config["asterisk"]["did"] = {"74951234567": {"source": "instagram", "campaign": "reels"}}
    async with running_leadgate(database_url, loops=("telephony",), **config) as lg:
        await ami_server.logged_in()
        await replay(lg, ami_server, "answered_recorded", calls=1)
        async with lg.store.engine.connect() as conn:
            [lead] = (await customer_card(conn, 1) or {})["leads"]

    assert lead["attribution"] == {"did": "74951234567", "source": "instagram",
                                   "campaign": "reels"}
    assert lead["team"] == "instagram" and lead["manager_id"] in (IRA, TIMUR)


async def test_a_ringing_extension_gets_a_screen_pop_with_the_callers_card(
    database_url: str, ami_server: AmiTestServer
) -> None:
    async with running_leadgate(database_url, loops=("telephony",), **pbx(ami_server)) as lg:
        await ami_server.logged_in()
        await replay(lg, ami_server, "abandoned_while_ringing", calls=1)
        await replay(lg, ami_server, "answered_recorded", calls=2)
        async with lg.store.engine.connect() as conn:
            pops = (await conn.execute(
                select(outbox.c.message_id, outbox.c.routing_key, outbox.c.payload)
                .where(outbox.c.routing_key.like("call.ringing.%")).order_by(outbox.c.id)
            )).all()

    assert [p.routing_key for p in pops] == [f"call.ringing.{IRA}"] * 2
    first, second = (p.payload for p in pops)
    assert first["card"]["phones"] == ["+79161234567"] and "customer_id" not in first["card"]
    assert second["card"]["customer_id"] == 1 and second["card"]["open_lead_id"] == 1
    assert second["call"]["caller_name"] == "Иван Петров"


async def test_a_wrong_ami_secret_shows_on_healthz_and_in_the_log_and_is_not_retried(
    database_url: str, ami_server: AmiTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    config = pbx(ami_server)
    config["asterisk"]["secret"] = "wrong-secret"
    caplog.set_level(logging.INFO)
    async with running_leadgate(database_url, loops=("telephony",), **config) as lg:
        for _ in range(200):
            health = await lg.get("/healthz")
            if "telephony" in health.body["channels"] and health.body["status"] == "degraded":
                break
            await asyncio.sleep(0.05)

    assert health.body["channels"]["telephony"]["state"] == "misconfigured"
    assert "wrong-secret" not in health.text and "wrong-secret" not in caplog.text
    assert "telephony is misconfigured" in caplog.text
    assert ami_server.logins == 1


async def test_leadgate_run_with_asterisk_puts_a_replayed_call_on_the_card(
    tmp_path: Path, ami_server: AmiTestServer
) -> None:
    http_port = _free_port()
    (tmp_path / "leadgate.toml").write_text(as_toml(
        {"default_region": "RU"}, {**ASTERISK_SECTION, "port": ami_server.port}))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "leadgate.cli", "run", cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "LEADGATE_HTTP_PORT": str(http_port)},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        await ami_server.logged_in(within=30)
        await ami_server.replay(load_trace("missed_no_answer"), speed=50)
        token = await leadgate_command(tmp_path, "tokens", "create", "--role", "admin")
        card = await card_by_phone(http_port, token, "+998 90 123 45 67")
    finally:
        process.terminate()
        _, stderr = await process.communicate()

    assert process.returncode == 0, stderr.decode()
    [lead] = card["leads"]
    assert lead["channel"] == "call" and lead["callback_due_at"] is not None
    assert lead["attribution"]["source"] == "billboard"
    assert [t["channel"] for t in card["timeline"]] == ["call"]


def as_toml(top: dict[str, Any], asterisk: dict[str, Any]) -> str:
    """The config file: top-level keys, [asterisk] and its [asterisk.did.<number>] tables."""
    plain = {k: v for k, v in asterisk.items() if k != "did"}
    lines = [f"{k} = {json.dumps(v)}" for k, v in top.items()]
    lines += ["[asterisk]", *(f"{k} = {json.dumps(v)}" for k, v in plain.items())]
    for number, attribution in asterisk["did"].items():
        lines += [f'[asterisk.did."{number}"]',
                  *(f"{k} = {json.dumps(v)}" for k, v in attribution.items())]
    return "\n".join(lines) + "\n"


async def leadgate_command(cwd: Path, *args: str) -> str:
    """Run another `leadgate` command beside the service; its last output line."""
    command = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "leadgate.cli", *args, cwd=cwd, env={"PATH": "/usr/bin:/bin"},
        stdout=asyncio.subprocess.PIPE)
    out, _ = await command.communicate()
    assert command.returncode == 0
    return out.decode().strip().splitlines()[-1]


async def card_by_phone(port: int, token: str, phone: str) -> dict[str, Any]:
    """GET /api/customers?phone= until the card is there (the call is stored asynchronously)."""
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            async with session.get(f"http://127.0.0.1:{port}/api/customers",
                                   params={"phone": phone}, headers=headers) as answer:
                if answer.status == 200:
                    return dict(await answer.json())
            await asyncio.sleep(0.05)
    raise AssertionError(f"no card for {phone}")
