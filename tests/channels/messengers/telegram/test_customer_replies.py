"""The bot talks back: one acknowledgement per lead, and managers' replies relayed to customers."""

from __future__ import annotations

import pytest

from channels.messengers.telegram.adapter import TelegramBotChannel
from leads.errors import InvalidEvent
from tests.channels.messengers.telegram.conftest import bot_settings, serving, update
from tests.fakes import RecordingSink
from tests.support.telegram_api import TelegramTestServer

ACK = "Thanks {name}! {manager} will call you within 15 minutes."


async def test_the_first_message_of_a_lead_is_acknowledged_once_with_the_template(
    telegram: TelegramTestServer, sink: RecordingSink
) -> None:
    channel = TelegramBotChannel(bot_settings(telegram.base_url, ack_template=ACK))
    async with serving(channel, sink) as bot:
        await bot.post(update("text_message"))
        await bot.post(update("photo_with_caption"))
    # RecordingSink opens one lead per event: a second lead is acknowledged too.
    texts = [c.params["text"] for c in telegram.calls_to("sendMessage")]
    assert texts == [
        "Thanks Dilnoza! Our manager will call you within 15 minutes.",
        "Thanks Dilnoza! Our manager will call you within 15 minutes.",
    ]


async def test_a_start_is_greeted_not_acknowledged(
    telegram: TelegramTestServer, sink: RecordingSink
) -> None:
    channel = TelegramBotChannel(bot_settings(telegram.base_url, ack_template=ACK))
    async with serving(channel, sink) as bot:
        await bot.post(update("start_with_deep_link"))
    [greeting] = telegram.calls_to("sendMessage")
    assert greeting.params["text"].startswith("Hello!")


async def test_a_reply_sent_to_a_customer_goes_through_the_bot_and_onto_the_timeline(
    telegram: TelegramTestServer, sink: RecordingSink
) -> None:
    channel = TelegramBotChannel(bot_settings(telegram.base_url))
    async with serving(channel, sink):
        event = await channel.send_to_customer(5123456789, "We can engrave it by Friday", "Aziz")
    call = await telegram.wait_for_call("sendMessage")
    assert call.params == {"chat_id": "5123456789", "text": "We can engrave it by Friday"}
    assert sink.events == [event]
    assert event.direction == "outbound"
    assert [(i.kind, i.value) for i in event.identities] == [("telegram", "5123456789")]
    assert event.details["manager"] == "Aziz"


async def test_a_customer_who_blocked_the_bot_is_reported_as_refused(
    telegram: TelegramTestServer, sink: RecordingSink
) -> None:
    telegram.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    channel = TelegramBotChannel(bot_settings(telegram.base_url))
    async with serving(channel, sink):
        with pytest.raises(InvalidEvent):
            await channel.send_to_customer(5123456789, "Hello")
    assert sink.events == []
