"""What every local test server shares: an aiohttp app on a free loopback port, for `async with`.

A server says what it answers in `route` (by default every POST goes to its `handle`); the base
starts it on 127.0.0.1, sets `base_url` and stops it on leaving the block. A `RecordingServer`
also keeps every call it was sent (`calls`) and lets a test wait for one (`wait_for`).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from types import TracebackType
from typing import Generic, Self, TypeVar

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


CallT = TypeVar("CallT")


class RecordingServer(LoopbackServer, Generic[CallT]):
    """A loopback server keeping each call it is sent, oldest first."""

    def __init__(self) -> None:
        self.calls: list[CallT] = []
        self._changed = asyncio.Condition()

    async def record(self, call: CallT) -> None:
        """Keep the call and wake whoever waits for one."""
        self.calls.append(call)
        await self.changed()

    async def changed(self) -> None:
        """Wake whoever waits on the server's state."""
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, match: Callable[[CallT], bool], within: float = 5.0) -> CallT:
        """The first call `match` accepts, waiting for it up to `within` seconds."""
        def found() -> CallT | None:
            return next((call for call in self.calls if match(call)), None)

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: found() is not None), within)
        call = found()
        assert call is not None
        return call


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
