"""Fixtures for the Telegram channel: the local Bot API server and a bot served over HTTP."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from channels.messengers.telegram.adapter import SECRET_HEADER, TelegramBotChannel
from channels.messengers.telegram.settings import BotSettings
from leads.model import Sink
from tests.fakes import RecordingSink
from tests.support.telegram_api import TelegramTestServer

FIXTURES = Path(__file__).parents[3] / "fixtures" / "telegram"
TOKEN = "7000000001:customer-bot-token-for-tests"
SECRET = "webhook-secret-for-tests"


def update(name: str) -> dict[str, Any]:
    """A captured Update from tests/fixtures/telegram."""
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_bytes())
    return loaded


def bot_settings(api_base: str, **overrides: Any) -> BotSettings:
    """Settings of a webhook bot pointed at the local Bot API server."""
    table = {"token": TOKEN, "secret": SECRET, "api_base": api_base, "default_region": "UZ"}
    return BotSettings.from_toml("main", {**table, **overrides})


@dataclass
class WebhookBot:
    """A webhook-mode bot inside a running aiohttp app, and a way to post updates to it."""

    channel: TelegramBotChannel
    url: str
    http: aiohttp.ClientSession

    async def post(self, body: Any, secret: str = SECRET) -> tuple[int, Any]:
        """Post an update as Telegram does; returns the status and the JSON answer."""
        headers = {SECRET_HEADER: secret}
        async with self.http.post(self.url, json=body, headers=headers) as response:
            return response.status, await response.json(content_type=None)


@asynccontextmanager
async def serving(channel: TelegramBotChannel, sink: Sink) -> AsyncIterator[WebhookBot]:
    """Serve the channel's routes on a loopback port with a client session."""
    app = web.Application()
    app.add_routes(channel.routes(sink))
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            yield WebhookBot(channel, str(server.make_url(channel.settings.path)), http)
    finally:
        await channel.aclose()
        await server.close()


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramTestServer]:
    """The local Bot API server."""
    async with TelegramTestServer() as server:
        yield server


@pytest.fixture
def sink() -> RecordingSink:
    """A recording sink standing in for intake."""
    return RecordingSink()


@pytest.fixture
async def webhook_bot(
    telegram: TelegramTestServer, sink: RecordingSink
) -> AsyncIterator[WebhookBot]:
    """The default webhook bot over the recording sink."""
    channel = TelegramBotChannel(bot_settings(telegram.base_url))
    async with serving(channel, sink) as bot:
        yield bot
