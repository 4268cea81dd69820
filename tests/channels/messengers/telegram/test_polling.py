"""A polling bot reads getUpdates from the Bot API, stores each update, and never loses one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from channels.messengers.telegram.adapter import TelegramBotChannel
from leads.errors import ChannelMisconfigured, ChannelUnavailable
from leads.model import ContactEvent, IntakeResult
from tests.channels.messengers.telegram.conftest import bot_settings, update
from tests.fakes import RecordingHealth, RecordingSink
from tests.support.telegram_api import TelegramTestServer


async def eventually(condition: Callable[[], bool], within: float = 10.0) -> None:
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - the sink offers no event to wait on
            await asyncio.sleep(0.02)


@asynccontextmanager
async def polling(
    telegram: TelegramTestServer, sink: Callable[[ContactEvent], Awaitable[IntakeResult]]
) -> AsyncIterator[asyncio.Task[None]]:
    settings = bot_settings(telegram.base_url, mode="polling", poll_timeout=5)
    task = asyncio.create_task(TelegramBotChannel(settings).run(sink))
    try:
        yield task
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_pushed_updates_become_touches_and_the_offset_confirms_them(
    telegram: TelegramTestServer, sink: RecordingSink
) -> None:
    async with polling(telegram, sink):
        telegram.push_update(update("start_with_deep_link"))
        telegram.push_update(update("contact_shared_own"))
        await eventually(lambda: len(sink.events) == 2)
        await telegram.wait_for_call("getUpdates", lambda c: c.params.get("offset") == "730000004")
    assert telegram.calls_to("deleteWebhook")
    assert sink.events[0].attribution["start_payload"] == "instagram-nov26"
    assert ("phone", "+998901234567") in {(i.kind, i.value) for i in sink.events[1].identities}
    assert len(telegram.calls_to("sendMessage")) == 2


async def test_an_update_is_kept_while_the_store_is_down_and_stored_when_it_returns(
    telegram: TelegramTestServer, sink: RecordingSink
) -> None:
    attempts: list[ContactEvent] = []

    async def flaky(event: ContactEvent) -> IntakeResult:
        attempts.append(event)
        sink.failing = len(attempts) < 3
        return await sink(event)

    sink.failing = True
    async with polling(telegram, flaky):
        telegram.push_update(update("text_message"))
        await eventually(lambda: len(sink.events) == 1)
    assert len(attempts) == 3
    assert sink.events[0].external_id == "5123456789:12"


async def test_a_rejected_token_stops_the_bot_as_misconfigured(
    telegram: TelegramTestServer, sink: RecordingSink
) -> None:
    telegram.fail("deleteWebhook", 401, "Unauthorized")
    settings = bot_settings(telegram.base_url, mode="polling")
    with pytest.raises(ChannelMisconfigured):
        await asyncio.wait_for(TelegramBotChannel(settings).run(sink), 10)


async def test_an_unreachable_telegram_is_unavailable_and_the_same_bot_runs_again_later(
    telegram: TelegramTestServer, sink: RecordingSink
) -> None:
    channel = TelegramBotChannel(bot_settings(telegram.base_url, mode="polling", poll_timeout=5))
    telegram.fail("getUpdates", 502, "Bad Gateway")
    with pytest.raises(ChannelUnavailable):
        await asyncio.wait_for(channel.run(sink), 10)
    telegram.recover("getUpdates")
    telegram.push_update(update("text_message"))
    task = asyncio.create_task(channel.run(sink))
    try:
        await eventually(lambda: len(sink.events) == 1)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_a_polling_bot_says_it_is_ok_once_it_polls(
    telegram: TelegramTestServer, sink: RecordingSink
) -> None:
    health = RecordingHealth()
    settings = bot_settings(telegram.base_url, mode="polling", poll_timeout=5)
    task = asyncio.create_task(TelegramBotChannel(settings, health).run(sink))
    try:
        await eventually(lambda: "telegram:main" in health.states)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert health.states["telegram:main"] == ("ok", "polling")
