"""What every local test server shares: an aiohttp app on a free loopback port, for `async with`.

A server says what it answers in `route` (by default every POST goes to its `handle`); the base
starts it on 127.0.0.1, sets `base_url` and stops it on leaving the block.
"""

from __future__ import annotations

import socket
from types import TracebackType
from typing import Self

from aiohttp import web


class LoopbackServer:
    """An aiohttp app on 127.0.0.1 and a free port; subclasses add their routes."""

    base_url: str = ""
    shutdown_timeout: float = 60.0
    """How long leaving the block waits for open requests (aiohttp's default)."""
    _runner: web.AppRunner | None = None

    def route(self, app: web.Application) -> None:
        """Add the server's routes: by default every POST goes to `handle`."""
        app.router.add_route("POST", "/{tail:.*}", self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        """Answer one POST (written by the servers that keep the default route)."""
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        app = web.Application()
        self.route(app)
        self._runner = web.AppRunner(app, shutdown_timeout=self.shutdown_timeout)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
