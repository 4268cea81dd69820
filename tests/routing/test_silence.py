"""A channel silent for its working minutes alerts the admins once; events coming back say so."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from routing.config import RoutingConfig
from routing.hours import WorkingHours
from routing.silence import SilenceWatch, alert, alert_logins
from tests.routing.staffing import FLOOR, OLGA
from tests.routing.test_telegram_manager_bot import MANAGER_BOT, to_chat
from tests.support.leadgate_http import LeadgateClient, running_leadgate
from tests.support.rabbitmq import read_queue
from tests.support.telegram_api import TelegramTestServer

FRIDAY_17_30 = datetime(2026, 3, 6, 17, 30, tzinfo=UTC)
OFFICE = WorkingHours.parse("Mon-Fri 09:00-18:00 UTC")


def test_silence_is_counted_in_working_hours_only() -> None:
    watch = SilenceWatch({"smtp": 60}, OFFICE, FRIDAY_17_30)
    heard = {"smtp": FRIDAY_17_30}

    saturday = watch.check(heard, FRIDAY_17_30 + timedelta(days=1))
    monday_9_29 = watch.check(heard, datetime(2026, 3, 9, 9, 29, tzinfo=UTC))
    monday_9_30 = watch.check(heard, datetime(2026, 3, 9, 9, 30, tzinfo=UTC))

    assert saturday == monday_9_29 == []
    assert [(c.channel, c.kind, c.since) for c in monday_9_30] == [
        ("smtp", "silent", FRIDAY_17_30)]


def test_one_alert_per_silence_and_one_when_events_come_back() -> None:
    watch = SilenceWatch({"smtp": 10}, WorkingHours.always(), FRIDAY_17_30)
    later = FRIDAY_17_30 + timedelta(hours=1)
    (silent,) = watch.check({}, later)
    watch.settle(silent)

    assert watch.check({}, later + timedelta(hours=5)) == []
    back = FRIDAY_17_30 + timedelta(hours=7)
    (recovered,) = watch.check({"smtp": back}, back)
    watch.settle(recovered)
    assert (recovered.kind, recovered.since) == ("recovered", back)
    assert watch.check({"smtp": back}, back + timedelta(minutes=5)) == []


def test_an_unannounced_change_is_found_again() -> None:
    watch = SilenceWatch({"sms": 10}, WorkingHours.always(), FRIDAY_17_30)
    later = FRIDAY_17_30 + timedelta(hours=1)

    assert watch.check({}, later) == watch.check({}, later)


def test_each_admin_gets_a_message_with_a_stable_id() -> None:
    (change,) = SilenceWatch({"smtp": 10}, WorkingHours.always(), FRIDAY_17_30).check(
        {}, FRIDAY_17_30 + timedelta(hours=1))
    message = alert(change, {"id": 7, "login": "olga"})

    assert message.routing_key == "channel.silent.7"
    assert message.message_id == f"channel.silent:smtp:{FRIDAY_17_30.isoformat()}:7"
    assert message.payload["channel"] == "smtp" and message.payload["manager"]["id"] == 7


def quiet_forms(**more: Any) -> dict[str, Any]:
    """Forms that count as silent after 0.6 s, team leads as admins."""
    return {**FLOOR, "webforms": {"rate_limit_per_minute": 0, "silent_after_minutes": 0.01},
            **more}


async def silent_flag(lg: LeadgateClient, wanted: bool) -> dict[str, Any]:
    for _ in range(200):
        body = (await lg.get("/healthz")).body
        if body["channels"]["webform"]["silent"] is wanted:
            return dict(body)
        await asyncio.sleep(0.05)
    raise AssertionError(f"webform never became silent={wanted}")


async def test_a_silent_form_reaches_the_admin_queue_once_and_its_return_too(
    database_url: str, amqp_url: str
) -> None:
    async with running_leadgate(database_url, amqp_url=amqp_url, loops=("outbox", "silence"),
                                **quiet_forms()) as lg:
        health = await silent_flag(lg, True)
        metrics = (await lg.get("/metrics")).text
        await asyncio.sleep(1.5)  # longer than the limit again: still one silence
        await lg.post_form("contact", {"phone": "90 123 45 67"})
        await silent_flag(lg, False)
        for _ in range(100):
            messages = await read_queue(f"leadgate.manager.{OLGA}")
            if messages:
                break
            await asyncio.sleep(0.1)
        for _ in range(50):
            await asyncio.sleep(0.1)
            messages += await read_queue(f"leadgate.manager.{OLGA}")

    assert health["loops"]["silence"]["state"] == "ok"
    assert 'leadgate_channel_silent{channel="webform"} 1.0' in metrics
    kinds = [m["routing_key"] for m in messages if m["routing_key"].startswith("channel.")]
    # After its return the form falls silent again 0.6 s later: a new silence, a new alert.
    assert kinds[:2] == [f"channel.silent.{OLGA}", f"channel.recovered.{OLGA}"]


async def test_the_managers_bot_tells_the_admin_in_embedded_mode(database_url: str) -> None:
    async with TelegramTestServer() as telegram:
        bot = {"notify": {"telegram": {"token": MANAGER_BOT, "api_base": telegram.base_url,
                                       "mode": "webhook", "secret": "s3cret"}},
               "alerts": {"managers": ["ira"]}}
        async with running_leadgate(database_url, loops=("outbox", "silence"),
                                    **quiet_forms(**bot)):
            notice = await telegram.wait_for_call("sendMessage", to_chat(5003), within=20)

    assert "Channel webform is silent" in notice.params["text"]


def test_silent_channels_are_told_to_the_team_leads_unless_alerts_name_managers() -> None:
    routing = RoutingConfig.from_toml(FLOOR)

    assert alert_logins({}, routing) == ["olga"]
    assert alert_logins({"managers": ["aziz", "ira"]}, routing) == ["aziz", "ira"]
    with pytest.raises(ValueError, match="list of manager logins"):
        alert_logins({"managers": "aziz"}, routing)
