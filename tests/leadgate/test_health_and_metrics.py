"""/healthz and /metrics from memory: every channel kind says ok and counts its events; a database
or broker outage is said, never a 500."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import Callable
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from tests.channels.email.conftest import dovecot, sample  # noqa: F401 - a fixture
from tests.channels.messengers.telegram.conftest import SECRET, TOKEN, update
from tests.channels.sms.conftest import GENERIC_TOKEN
from tests.channels.telephony.ami_server import AmiTestServer, load_trace
from tests.channels.telephony.conftest import (
    ASTERISK_SECTION,
    ami_server_fixture,  # noqa: F401 - a fixture
)
from tests.leadgate.test_run import _free_port
from tests.routing.conftest import amqp_url  # noqa: F401 - a fixture
from tests.support.dovecot import PASSWORD, USER, Dovecot
from tests.support.leadgate_http import LeadgateClient, running_leadgate
from tests.support.rabbitmq import broker_proxy, url_through
from tests.support.tcp_proxy import tcp_proxy
from tests.support.telegram_api import TelegramTestServer

CHANNELS = {"webform", "sms", "telegram:main", "smtp", f"imap:{USER}@127.0.0.1", "telephony"}


def every_kind(smtp_port: int, imap_port: int, ami_port: int, bot_api: str) -> dict[str, Any]:
    """A config with one channel of every kind."""
    return {
        "sms": {"generic": {"token": GENERIC_TOKEN}},
        "telegram": {"bots": {"main": {"token": TOKEN, "secret": SECRET, "api_base": bot_api}}},
        "smtp": {"listen": f"127.0.0.1:{smtp_port}", "recipients": ["sales@example.uz"]},
        "imap": {"mailboxes": [{"host": "127.0.0.1", "port": imap_port, "tls": "none",
                                "user": USER, "password": PASSWORD, "poll_seconds": 0.2}]},
        "asterisk": {**ASTERISK_SECTION, "port": ami_port},
    }


async def metric_samples(lg: LeadgateClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    answer = await lg.get("/metrics")
    assert answer.status == 200
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(answer.text) for s in family.samples}


async def until(check: Callable[[], Any], what: str) -> Any:
    for _ in range(400):
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"never: {what}")


async def test_every_channel_kind_is_ok_on_healthz_and_counted_on_metrics(
    database_url: str, dovecot: Dovecot, ami_server: AmiTestServer  # noqa: F811
) -> None:
    smtp_port = _free_port()
    async with TelegramTestServer() as telegram, running_leadgate(
        database_url, loops=True,
        **every_kind(smtp_port, dovecot.port, ami_server.port, telegram.base_url),
    ) as lg:
        async def all_ok() -> Any:
            body = (await lg.get("/healthz")).body
            return body if body["status"] == "ok" and set(body["channels"]) >= CHANNELS else None

        health = await until(all_ok, "every channel and loop ok")
        await lg.post_form("contact", {"phone": "90 123 45 67"})
        await lg.request("POST", "/sms/generic", json={
            "id": "m-1", "from": "998901234568", "to": "998712000000", "text": "Narxi?"},
            headers={"Authorization": f"Bearer {GENERIC_TOKEN}"})
        async with aiohttp.ClientSession() as http:
            await http.post(f"{lg.base}/telegram/main", json=update("text_message"),
                            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        await asyncio.to_thread(_send_mail, smtp_port)
        await asyncio.to_thread(dovecot.plant, sample("inquiry_koi8r"))
        await ami_server.logged_in()
        await ami_server.replay(load_trace("missed_no_answer"), speed=50)

        async def all_counted() -> Any:
            found = await metric_samples(lg)
            kinds = {dict(labels)["channel"] for (name, labels), value in found.items()
                     if name == "leadgate_channel_events_total" and value >= 1}
            return found if kinds >= {"webform", "sms", "telegram", "email", "call"} else None

        async def all_heard() -> Any:
            channels = (await lg.get("/healthz")).body["channels"]
            return all(channels[name]["last_event_at"] for name in CHANNELS) and channels

        samples = await until(all_counted, "every channel kind counted")
        heard = await until(all_heard, f"an event from each of {CHANNELS}")

    assert {s["state"] for s in health["channels"].values()} == {"ok"}
    assert {s["state"] for s in health["loops"].values()} == {"ok"}
    assert set(health["loops"]) >= {"outbox", "sla"}
    assert all(heard[name]["last_event_at"] for name in CHANNELS)
    for kind in ("webform", "sms", "telegram", "email", "call"):
        assert samples[("leadgate_intake_seconds_count", frozenset({("channel", kind)}))] >= 1
    for name in CHANNELS:
        assert samples[("leadgate_channel_up", frozenset({("channel", name)}))] == 1
    assert samples[("leadgate_database_up", frozenset())] == 1
    groups = samples[("leadgate_intake_groups_total", frozenset())]
    assert 1 <= groups <= samples[("leadgate_intake_grouped_events_total", frozenset())]


def _send_mail(port: int) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.sendmail("ivan.petrov@example.ru", ["sales@example.uz"],
                        sample("inquiry_plain_utf8_ru"))


async def test_a_database_outage_is_said_by_metrics_and_healthz_not_a_500(
    postgres_url: str,
) -> None:
    url = make_url(postgres_url)
    async with tcp_proxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        async with running_leadgate(through, loops=("outbox", "sla")) as lg:
            await until(lambda: _loops_ok(lg), "loops ok")
            async with proxy.outage():
                metrics = await lg.get("/metrics")
                health = await lg.get("/healthz")
            samples = await metric_samples(lg)

    assert metrics.status == 200 and "leadgate_database_up 0.0" in metrics.text
    assert health.status == 503 and health.body["database"] == "unavailable"
    assert "loops" in health.body and "channels" in health.body
    assert samples[("leadgate_database_up", frozenset())] == 1


async def test_a_broker_outage_shows_the_outbox_down_and_metrics_still_answer(
    database_url: str, amqp_url: str  # noqa: F811
) -> None:
    async with broker_proxy() as proxy, running_leadgate(
        database_url, amqp_url=url_through(proxy.port), loops=("outbox",)
    ) as lg:
        await until(lambda: _loop_in(lg, "outbox", "ok"), "outbox ok")
        async with proxy.outage():
            await lg.post_form("contact", {"phone": "90 123 45 67"})
            down = await until(lambda: _loop_in(lg, "outbox", "down"), "outbox down")
            samples = await metric_samples(lg)
        await until(lambda: _loop_in(lg, "outbox", "ok"), "outbox ok again")

    assert down["detail"] and down["since"]
    assert samples[("leadgate_loop_up", frozenset({("loop", "outbox")}))] == 0
    assert samples[("leadgate_outbox_unsent", frozenset())] >= 0
    assert samples[("leadgate_database_up", frozenset())] == 1


async def _loops_ok(lg: LeadgateClient) -> bool:
    body = (await lg.get("/healthz")).body
    return bool(body["loops"]) and all(s["state"] == "ok" for s in body["loops"].values())


async def _loop_in(lg: LeadgateClient, name: str, state: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = (await lg.get("/healthz")).body["loops"].get(name)
    return found if found and found["state"] == state else None
