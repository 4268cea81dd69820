"""Outgoing webhooks: signed, one delivery per event across restarts, backoff, give-up, retry."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from crm_store import webhook_store
from integrations.webhooks.sender import WebhookSender
from integrations.webhooks.settings import WebhookSettings, webhooks_from_toml
from leadgate.compose import Store
from leads.model import ContactEvent, RawIdentity
from tests.support.receiver import Receiver

SECRET = "webhook-secret-42"
T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with Receiver() as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def hook(url: str, **overrides: Any) -> WebhookSettings:
    [settings] = webhooks_from_toml([{"url": url, "secret": SECRET, "name": "crm",
                                      "backoff_seconds": 10, **overrides}])
    return settings


async def new_lead(core: Store, n: int) -> int:
    event = ContactEvent(channel="webform", external_id=f"form-{n}",
                         occurred_at=datetime.now(UTC),
                         identities=(RawIdentity("phone", f"+99890123450{n}"),),
                         attribution={"form": "contact"})
    result = await core.intake(event)
    assert result.lead_id is not None
    return result.lead_id


async def deliveries(core: Store) -> list[dict[str, Any]]:
    async with core.engine.connect() as conn:
        return await webhook_store.statuses(conn)


async def test_each_event_is_posted_signed_with_event_and_stable_delivery_id(
    core: Store, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    lead = await new_lead(core, 1)
    sender = WebhookSender(core.engine, [hook(receiver.url, events=["lead.created"])],
                           clock=Clock())

    await sender.step(http)

    [request] = receiver.received
    expected = hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Leadgate-Signature"] == f"sha256={expected}"
    assert request.headers["X-Leadgate-Event"] == "lead.created"
    body = json.loads(request.body)
    assert body["event"] == "lead.created" and body["data"]["id"] == lead
    assert body["delivery_id"] == request.headers["X-Leadgate-Delivery"]


async def test_one_delivery_per_event_across_a_restart(
    core: Store, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    await new_lead(core, 1)
    first = WebhookSender(core.engine, [hook(receiver.url, events=["lead.created"])],
                          clock=Clock())
    await first.step(http)
    await new_lead(core, 2)
    await first.queue_new_events(T0)  # queued, then the process dies before sending

    again = WebhookSender(core.engine, [hook(receiver.url, events=["lead.created"])],
                          clock=Clock())
    await again.step(http)
    await again.step(http)

    sent = [json.loads(r.body)["data"]["id"] for r in receiver.received]
    assert sorted(sent) == [1, 2]
    assert len({r.headers["X-Leadgate-Delivery"] for r in receiver.received}) == 2


async def test_a_failing_receiver_is_retried_with_exponential_backoff(
    core: Store, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    receiver.failing = 500
    await new_lead(core, 1)
    clock = Clock()
    sender = WebhookSender(core.engine, [hook(receiver.url, events=["lead.created"])],
                           clock=clock)
    tried_at = []
    for seconds in (0, 5, 10, 25, 30, 65, 70):
        clock.now = T0 + timedelta(seconds=seconds)
        if await sender.step(http):
            tried_at.append(seconds)

    assert tried_at == [0, 10, 30, 70]  # waits of 10 s, 20 s, 40 s
    [row] = await deliveries(core)
    assert row["attempts"] == 4 and row["status"] == "pending"
    assert row["next_attempt_at"] == clock.now + timedelta(seconds=80)
    assert len({r.headers["X-Leadgate-Delivery"] for r in receiver.received}) == 1


async def test_after_max_attempts_it_gives_up_and_the_cli_sends_it_again(
    core: Store, receiver: Receiver, http: aiohttp.ClientSession, database_url: str,
    tmp_path: Path,
) -> None:
    receiver.failing = 503
    await new_lead(core, 1)
    clock = Clock()
    sender = WebhookSender(core.engine, [hook(receiver.url, events=["lead.created"],
                                              max_attempts=3)], clock=clock)
    for minutes in range(6):
        clock.now = T0 + timedelta(minutes=minutes)
        await sender.step(http)
    assert len(receiver.received) == 3

    listed = leadgate(tmp_path, database_url, "webhooks", "failed", "--json")
    [failed] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (failed["event"], failed["attempts"]) == ("lead.created", 3)
    assert failed["last_error"] == "answered 503"

    receiver.failing = None
    retried = leadgate(tmp_path, database_url, "webhooks", "retry", str(failed["id"]))
    unknown = leadgate(tmp_path, database_url, "webhooks", "retry", "999")
    clock.now = datetime.now(UTC) + timedelta(seconds=1)
    await sender.step(http)

    assert retried.returncode == 0, retried.stderr
    assert unknown.returncode != 0 and "no failed webhook delivery" in unknown.stderr
    assert len(receiver.received) == 4
    assert len({r.headers["X-Leadgate-Delivery"] for r in receiver.received}) == 1
    assert [row["status"] for row in await deliveries(core)] == ["delivered"]


async def test_only_subscribed_events_are_sent_closing_a_lead_is_one(
    core: Store, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    lead = await new_lead(core, 1)
    sender = WebhookSender(core.engine, [hook(receiver.url, events=["lead.closed"])],
                           clock=Clock())
    await sender.step(http)
    await core.desk.close(lead, "won", None)
    await sender.step(http)
    await sender.step(http)

    assert [r.headers["X-Leadgate-Event"] for r in receiver.received] == ["lead.closed"]
    assert json.loads(receiver.received[0].body)["data"]["status"] == "won"


@pytest.mark.parametrize(("entry", "message"), [
    ({"url": "ftp://x", "secret": SECRET}, "url"),
    ({"url": "https://x.example", "secret": "short"}, "secret"),
    ({"url": "https://x.example", "secret": SECRET, "events": ["created"]}, "events"),
    ({"url": "https://x.example", "secret": SECRET, "max_attempts": 0}, "max_attempts"),
])
def test_a_bad_webhook_entry_is_refused_naming_the_key(entry: dict[str, Any],
                                                       message: str) -> None:
    with pytest.raises(ValueError, match=message):
        webhooks_from_toml([entry])


def leadgate(cwd: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "LEADGATE_DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "leadgate.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)
