"""A local HTTP receiver for outgoing calls: records each request, can be told to fail."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import web

from tests.support.loopback import LoopbackServer


@dataclass(frozen=True)
class Received:
    """One request as it arrived: path, headers and the raw body."""

    path: str
    headers: dict[str, str]
    body: bytes


class Receiver(LoopbackServer):
    """A server on a free loopback port answering 200, or `failing` status codes."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.failing: int | None = None
        self._arrived = asyncio.Event()

    @property
    def url(self) -> str:
        """The address to send to, once the server runs."""
        return f"{self.base_url}/hook"

    async def wait_for(self, count: int, within: float = 10.0) -> list[Received]:
        """The first `count` requests, waiting for them up to `within` seconds."""
        async with asyncio.timeout(within):
            while len(self.received) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.received[:count]

    async def handle(self, request: web.Request) -> web.Response:
        """Record the request; answer 200, or `failing`."""
        self.received.append(Received(request.path, dict(request.headers), await request.read()))
        self._arrived.set()
        if self.failing is not None:
            return web.json_response({"error": "down"}, status=self.failing)
        return web.json_response({"ok": True})
