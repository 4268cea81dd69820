"""A local HTTP receiver for outgoing calls: records each request, can be told to fail."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from types import TracebackType

from aiohttp import web


@dataclass(frozen=True)
class Received:
    """One request as it arrived: path, headers and the raw body."""

    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """An aiohttp server on a free loopback port answering 200, or `failing` status codes."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.failing: int | None = None
        self.url = ""
        self._arrived = asyncio.Event()
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_route("POST", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_for(self, count: int, within: float = 10.0) -> list[Received]:
        """The first `count` requests, waiting for them up to `within` seconds."""
        async with asyncio.timeout(within):
            while len(self.received) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.received[:count]

    async def _handle(self, request: web.Request) -> web.Response:
        self.received.append(Received(request.path, dict(request.headers), await request.read()))
        self._arrived.set()
        if self.failing is not None:
            return web.json_response({"error": "down"}, status=self.failing)
        return web.json_response({"ok": True})
