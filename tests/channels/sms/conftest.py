"""Fixtures for the SMS channel: the channel served on loopback, and captured gateway requests."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from channels.base import CursorStore
from channels.sms.adapter import SmsChannel
from channels.sms.settings import SmsSettings
from leads.model import Sink
from tests.fakes import MemoryCursorStore, RecordingSink

FIXTURES = Path(__file__).parents[2] / "fixtures" / "sms"
PUBLIC_URL = "https://leads.example.com"
PLIVO_TOKEN = "plivo-test-auth-token"
GENERIC_TOKEN = "generic-test-token"
SMS_SECTION: dict[str, Any] = {
    "twilio": {"auth_token": "twilio-test-auth-token"},
    "vonage": {},
    "plivo": {"auth_token": PLIVO_TOKEN},
    "infobip": {"secret": "change-me"},
    "generic": {"token": GENERIC_TOKEN},
}


def captured(name: str) -> dict[str, Any]:
    """A captured gateway request from tests/fixtures/sms."""
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_bytes())
    return loaded


@dataclass
class Answer:
    """Status and decoded body of one answer."""

    status: int
    body: Any
    text: str


@dataclass
class SmsGateway:
    """Posts requests to the running SMS channel the way gateways do."""

    channel: SmsChannel
    server: TestServer
    http: aiohttp.ClientSession

    async def post(
        self, path: str, body: bytes | str | dict[str, Any], headers: dict[str, str] | None = None
    ) -> Answer:
        """POST a body (a dict is sent as JSON) to `path` (with its query string)."""
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        url = str(self.server.make_url("/")).rstrip("/") + path
        async with self.http.post(url, data=data, headers=headers or {}) as response:
            text = await response.text()
            try:
                decoded = json.loads(text)
            except ValueError:
                decoded = None
            return Answer(response.status, decoded, text)

    async def replay(self, name: str, **changes: Any) -> Answer:
        """Post a captured request as its provider sent it."""
        request = {**captured(name), **changes}
        split = urlsplit(request["url"])
        path = split.path + (f"?{split.query}" if split.query else "")
        return await self.post(path, request["body"], request["headers"])


@asynccontextmanager
async def serving(
    section: dict[str, Any], sink: Sink, cursors: CursorStore | None = None
) -> AsyncIterator[SmsGateway]:
    """The SMS channel for `[sms]` = `section`, served on a loopback port."""
    channel = SmsChannel(
        SmsSettings.from_toml(section, PUBLIC_URL), cursors or MemoryCursorStore(), "UZ"
    )
    app = web.Application()
    app.add_routes(channel.routes(sink))
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            yield SmsGateway(channel, server, http)
    finally:
        await channel.aclose()
        await server.close()


@pytest.fixture
def sink() -> RecordingSink:
    """A recording sink standing in for intake."""
    return RecordingSink()


@pytest.fixture
async def gateway(sink: RecordingSink) -> AsyncIterator[SmsGateway]:
    """Every provider configured, over the recording sink."""
    async with serving(SMS_SECTION, sink) as running:
        yield running
