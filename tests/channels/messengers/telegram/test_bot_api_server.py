"""The local Bot API test server answers aiogram like Telegram does and records each call."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramForbiddenError
from aiogram.types import KeyboardButton, ReplyKeyboardMarkup

from tests.support.telegram_api import TelegramTestServer

TOKEN = "123456:TEST-TOKEN"


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramTestServer]:
    async with TelegramTestServer() as server:
        yield server


@pytest.fixture
async def bot(telegram: TelegramTestServer) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(telegram.base_url))
    async with Bot(TOKEN, session=session) as running:
        yield running


async def test_get_me_answers_with_the_bot_id_from_the_token(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot


async def test_send_message_is_recorded_with_its_keyboard_decoded(
    bot: Bot, telegram: TelegramTestServer
) -> None:
    keyboard = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Share", request_contact=True)]], resize_keyboard=True
    )
    sent = await bot.send_message(42, "hello", reply_markup=keyboard)
    call = await telegram.wait_for_call("sendMessage")
    assert call.token == TOKEN
    assert call.params["chat_id"] == "42"
    assert call.params["text"] == "hello"
    assert call.params["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    assert sent.chat.id == 42 and sent.text == "hello"


async def test_pushed_updates_come_back_from_get_updates_until_confirmed(
    bot: Bot, telegram: TelegramTestServer
) -> None:
    telegram.push_update(
        {
            "update_id": 7,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 5, "type": "private"},
                "text": "hi",
            },
        }
    )
    first = await bot.get_updates(timeout=5)
    assert [u.update_id for u in first] == [7]
    assert await bot.get_updates(offset=8, timeout=0) == []


async def test_a_configured_failure_reaches_the_bot_as_a_telegram_error(
    bot: Bot, telegram: TelegramTestServer
) -> None:
    telegram.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(42, "hello")
