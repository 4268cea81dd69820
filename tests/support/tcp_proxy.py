"""A TCP proxy a test can cut: an outage of one server for this test only, the server untouched.

The machine's PostgreSQL and RabbitMQ are shared with other test runs, so a test never stops
them. It points Leadgate at this proxy instead and cuts it: open connections are aborted and
new ones are refused, exactly what a client sees when the server goes away.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class TcpProxy:
    """Forwards 127.0.0.1:<port> to an upstream address until cut."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self._upstream = (upstream_host, upstream_port)
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._flowing = asyncio.Event()
        self._flowing.set()
        self.port = 0

    async def start(self) -> None:
        """Listen (on a free port the first time, on the same port after a cut)."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """Refuse new connections and abort the open ones."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        for task in list(self._pipes):
            task.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)
        if server is not None:
            await server.wait_closed()

    async def stop(self) -> None:
        """Cut for good."""
        await self.cut()

    @asynccontextmanager
    async def outage(self) -> AsyncIterator[None]:
        """The upstream is unreachable through this proxy for the block."""
        await self.cut()
        try:
            yield
        finally:
            await self.start()

    @asynccontextmanager
    async def stalled(self) -> AsyncIterator[None]:
        """Open connections stay open but nothing is passed on, either way, for the block.

        What a client sees of a server that stopped reading its socket (RabbitMQ blocking a
        publisher under a resource alarm): writes seem to go out, no answer comes back.
        """
        self._flowing.clear()
        try:
            yield
        finally:
            self._flowing.set()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._upstream)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, up_writer))
        pipes = [asyncio.ensure_future(_pipe(reader, up_writer, self._flowing)),
                 asyncio.ensure_future(_pipe(up_reader, writer, self._flowing))]
        self._pipes.update(pipes)
        try:
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in pipes:
                task.cancel()
            for end in (writer, up_writer):
                end.transport.abort()
                self._writers.discard(end)
            self._pipes.difference_update(pipes)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                flowing: asyncio.Event) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        while data := await reader.read(65536):
            await flowing.wait()
            writer.write(data)
            await writer.drain()


@asynccontextmanager
async def tcp_proxy(upstream_host: str, upstream_port: int) -> AsyncIterator[TcpProxy]:
    """A started proxy, stopped after the block."""
    proxy = TcpProxy(upstream_host, upstream_port)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.stop()
