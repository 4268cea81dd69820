"""A new SMS lead gets one auto-reply through the configured outbound endpoint."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.channels.sms.conftest import SMS_SECTION, serving
from tests.fakes import RecordingSink


class OutboundEndpoint:
    """A local HTTP endpoint standing in for the SMS provider's send API."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, Any], str]] = []
        self.arrived = asyncio.Event()
        self.status = 200

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append((await request.json(), request.headers.get("Authorization", "")))
        self.arrived.set()
        return web.json_response({"queued": True}, status=self.status)


@pytest.fixture
async def endpoint() -> AsyncIterator[tuple[OutboundEndpoint, str]]:
    outbound = OutboundEndpoint()
    app = web.Application()
    app.router.add_post("/send", outbound.handle)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        yield outbound, str(server.make_url("/send"))
    finally:
        await server.close()


def with_ack(url: str) -> dict[str, Any]:
    return {
        **SMS_SECTION,
        "ack_template": "We got your request, {manager} will call you within 15 minutes",
        "outbound": {"url": url, "token": "outbound-token", "from": "Leadgate"},
    }


async def test_a_new_sms_lead_gets_the_template_reply_once(
    endpoint: tuple[OutboundEndpoint, str], sink: RecordingSink
) -> None:
    outbound, url = endpoint
    async with serving(with_ack(url), sink) as gateway:
        await gateway.replay("vonage_single")
        await gateway.replay("vonage_single")
        await asyncio.wait_for(outbound.arrived.wait(), 10)
    [(body, authorization)] = outbound.received
    assert body == {
        "to": "+37061234567",
        "from": "Leadgate",
        "text": "We got your request, our manager will call you within 15 minutes",
    }
    assert authorization == "Bearer outbound-token"


async def test_a_failing_outbound_endpoint_never_fails_the_webhook(
    endpoint: tuple[OutboundEndpoint, str], sink: RecordingSink
) -> None:
    outbound, url = endpoint
    outbound.status = 500
    async with serving(with_ack(url), sink) as gateway:
        answer = await gateway.replay("vonage_single")
        await asyncio.wait_for(outbound.arrived.wait(), 10)
    assert answer.status == 200
    assert len(sink.events) == 1
