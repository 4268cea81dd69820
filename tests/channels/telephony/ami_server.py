"""A socket-level AMI server for tests: Asterisk's wire protocol, and captured traces replayed."""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ami"
BANNER = b"Asterisk Call Manager/11.0.0\r\n"


_CAPTURE_ACTION = re.compile(rb"ActionID: lab-([a-z]+)-\d+")


@dataclass
class Trace:
    """A captured session: the messages after the login answer, each with its offset in seconds.

    `answers` holds what Asterisk answered the capture's own actions (CoreShowChannels,
    Status, Originate), by lower-case action name, for the server to answer ours with.
    """

    name: str
    messages: list[tuple[float, bytes]]
    answers: dict[str, list[bytes]] = field(default_factory=dict)


def load_trace(name: str) -> Trace:
    """Read `<name>.ami` (bytes as Asterisk sent them) and time each message from the timeline."""
    data = (FIXTURES / f"{name}.ami").read_bytes()
    times = [json.loads(line)["t"] for line in (FIXTURES / f"{name}.timeline.jsonl").open()]
    body = data[data.index(b"\r\n") + 2 :]
    raw = [part + b"\r\n\r\n" for part in body.split(b"\r\n\r\n") if part]
    assert len(raw) == len(times) - 1, f"{name}: timeline and bytes disagree"
    trace = Trace(name, [])
    for offset, data in zip(times[1:], raw, strict=True):
        action = _CAPTURE_ACTION.search(data)
        if action is None or data.startswith(b"Event: OriginateResponse"):
            trace.messages.append((offset, data))
        elif action.group(1) not in (b"login", b"logoff"):
            # The server answers our login and logoff itself; the rest answers our actions.
            trace.answers.setdefault(action.group(1).decode(), []).append(data)
    return trace


def message(*lines: str) -> bytes:
    """One AMI message from `Key: Value` lines."""
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


@dataclass
class AmiTestServer:
    """Accepts AMI clients on a free loopback port; tests push events and inspect actions."""

    secret: str = "secret"
    answer_pings: bool = True
    fully_booted: bool = True
    answers: dict[str, list[bytes]] = field(default_factory=dict)
    """Captured answers to actions by lower-case name, replayed with the client's ActionID."""
    live_channels: list[tuple[str, str, str]] = field(default_factory=list)
    """(channel, Uniqueid, Linkedid) listed by CoreShowChannels and Status."""
    actions: list[dict[str, str]] = field(default_factory=list)
    logins: int = 0
    sessions: list[asyncio.StreamWriter] = field(default_factory=list)
    _server: asyncio.Server | None = None
    _connected: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> AmiTestServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def stop(self) -> None:
        for writer in self.sessions:
            writer.transport.abort()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def logged_in(self, count: int = 1, within: float = 10.0) -> asyncio.StreamWriter:
        """Wait until `count` sessions have logged in; return the newest."""
        async with asyncio.timeout(within):
            while len(self.sessions) < count:
                self._connected.clear()
                await self._connected.wait()
        return self.sessions[-1]

    async def listed(self, count: int = 1, within: float = 10.0) -> None:
        """Wait until the client has asked for the channel lists `count` times (and had them)."""
        async with asyncio.timeout(within):
            while [a.get("Action") for a in self.actions].count("Status") < count:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)

    async def send(self, data: bytes) -> None:
        """Write raw bytes to the newest session."""
        writer = self.sessions[-1]
        writer.write(data)
        await writer.drain()

    async def replay(
        self, trace: Trace, speed: float = 1.0, replace: dict[bytes, bytes] | None = None
    ) -> None:
        """Send the trace's messages to the newest session with their captured spacing."""
        start = time.monotonic()
        first = trace.messages[0][0]
        for offset, data in trace.messages:
            delay = (offset - first) / speed - (time.monotonic() - start)
            if delay > 0:
                await asyncio.sleep(delay)
            for old, new in (replace or {}).items():
                data = data.replace(old, new)
            await self.send(data)

    def drop(self) -> None:
        """Cut every session's socket without a goodbye."""
        for writer in self.sessions:
            writer.transport.abort()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(BANNER)
        try:
            while True:
                raw = await reader.readuntil(b"\r\n\r\n")
                fields = _fields(raw)
                self.actions.append(fields)
                if not await self._answer(fields, writer):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _answer(self, fields: dict[str, str], writer: asyncio.StreamWriter) -> bool:
        action, action_id = fields.get("Action", "").lower(), fields.get("ActionID", "")
        if action == "login":
            return await self._login(fields, action_id, writer)
        if action in self.answers:
            writer.write(b"".join(_CAPTURE_ACTION.sub(b"ActionID: " + action_id.encode(), m)
                                  for m in self.answers[action]))  # fmt: skip
        elif action == "ping" and self.answer_pings:
            writer.write(message("Response: Success", f"ActionID: {action_id}", "Ping: Pong"))
        elif action == "originate":
            writer.write(
                message(
                    "Response: Success",
                    f"ActionID: {action_id}",
                    "Message: Originate successfully queued",
                )
            )
        elif action in ("coreshowchannels", "status"):
            writer.write(self._channel_list(action, action_id))
        elif action == "logoff":
            writer.write(message("Response: Goodbye", f"ActionID: {action_id}"))
            return False
        await writer.drain()
        return True

    async def _login(
        self, fields: dict[str, str], action_id: str, writer: asyncio.StreamWriter
    ) -> bool:
        self.logins += 1
        if fields.get("Secret") != self.secret:
            # Asterisk waits about a second, answers Error, then closes the socket.
            await asyncio.sleep(0.2)
            writer.write(
                message(
                    "Response: Error", f"ActionID: {action_id}", "Message: Authentication failed"
                )
            )
            await writer.drain()
            return False
        writer.write(
            message(
                "Response: Success", f"ActionID: {action_id}", "Message: Authentication accepted"
            )
        )
        if self.fully_booted:
            writer.write(
                message("Event: FullyBooted", "Privilege: system,all", "Status: Fully Booted")
            )
        await writer.drain()
        self.sessions.append(writer)
        self._connected.set()
        return True

    def _channel_list(self, action: str, action_id: str) -> bytes:
        item = "CoreShowChannel" if action == "coreshowchannels" else "Status"
        head = message(
            "Response: Success", f"ActionID: {action_id}", "EventList: start",
            "Message: Channels will follow",
        )  # fmt: skip
        items = b"".join(
            message(
                f"Event: {item}", f"ActionID: {action_id}", f"Channel: {name}",
                f"Uniqueid: {uniqueid}", f"Linkedid: {linkedid}",
            )  # fmt: skip
            for name, uniqueid, linkedid in self.live_channels
        )
        tail = message(
            f"Event: {item}{'s' if item == 'CoreShowChannel' else ''}Complete",
            f"ActionID: {action_id}", "EventList: Complete",
            f"ListItems: {len(self.live_channels)}",
        )  # fmt: skip
        return head + items + tail


def _fields(raw: bytes) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in raw.decode("utf-8").split("\r\n"):
        key, sep, value = line.partition(": ")
        if sep:
            fields.setdefault(key, value)
    return fields
