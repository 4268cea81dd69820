"""One AMI session on panoramisk's protocol, hardened: whole-message decoding, bounded hand-off,
a handler that never raises, and every action bounded by a timeout."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from panoramisk.actions import Action
from panoramisk.ami_protocol import AMIProtocol
from panoramisk.message import Message

from channels.telephony.framing import Headers, MessageSplitter, parse_message
from channels.telephony.inbox import EventInbox
from leads.errors import ChannelMisconfigured, ChannelUnavailable, PermissionDenied

log = logging.getLogger(__name__)


# Items of the channel lists asked for at connect: the tracker adopts calls from them, in order.
_LISTED = frozenset({"CoreShowChannel", "CoreShowChannelsComplete", "Status", "StatusComplete"})


class HardenedAmiProtocol(AMIProtocol):
    """panoramisk's protocol, except reading: bytes are buffered and decoded per whole message."""

    def __init__(self, inbox: EventInbox, clock: Callable[[], float]) -> None:
        self._inbox = inbox
        self._clock = clock
        self._splitter = MessageSplitter()
        self.skipped = 0
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.encoding = "utf-8"

    def data_received(self, data: bytes) -> None:
        # panoramisk drops the rest of a read when a handler raises: nothing may escape here.
        try:
            at = self._clock()
            # Blank lines between messages are noise, not news; most events no one reads.
            for raw in self._splitter.feed_wanted(data):
                headers = parse_message(raw)
                if headers is None:
                    self.skipped += 1
                    if self.skipped & (self.skipped - 1) == 0:  # 1st, 2nd, 4th, 8th, ...
                        log.warning("AMI: skipped %d malformed frames so far (last: %d bytes)",
                                    self.skipped, len(raw))
                    continue
                self._route(headers, at)
        except Exception:
            log.exception("AMI: failed to handle a read; the connection goes on")

    def _route(self, headers: Headers, at: float) -> None:
        action_id = headers.get("ActionID")
        action = self.responses.get(action_id) if action_id else None
        if action is not None:
            if headers.get("Event") in _LISTED:
                self._inbox.put((at, headers), self.transport)
            if headers.get("Response") == "Error":
                # A refused list action gets no list: panoramisk would wait for one forever.
                if not action.future.done():
                    action.future.set_result(Message(headers))
                self.responses.pop(action_id, None)
            elif action.add_message(Message(headers)):
                self.responses.pop(action_id, None)
        elif "Event" in headers:
            self._inbox.put((at, headers), self.transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        for action in self.responses.values():
            if not action.future.done():
                action.future.set_exception(ConnectionResetError("AMI connection lost"))
        self.responses.clear()
        if not self.lost.done():
            self.lost.set_result(None)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.transport.close()


class AmiSession:
    """A logged-in AMI connection: send actions with a timeout, watch it with pings."""

    def __init__(self, protocol: HardenedAmiProtocol, action_timeout: float) -> None:
        self.protocol = protocol
        self._timeout = action_timeout

    @classmethod
    async def open(
        cls, host: str, port: int, credentials: tuple[str, str], inbox: EventInbox,
        clock: Callable[[], float], action_timeout: float,
    ) -> AmiSession:  # fmt: skip
        """Connect and log in; ChannelMisconfigured if Asterisk rejects the credentials."""
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(action_timeout):
                _, protocol = await loop.create_connection(
                    lambda: HardenedAmiProtocol(inbox, clock), host, port
                )
        except (OSError, TimeoutError) as err:
            raise ChannelUnavailable(f"AMI {host}:{port} unreachable: {err!r}") from err
        session = cls(protocol, action_timeout)
        username, secret = credentials
        try:
            answer = await session.action(
                {"Action": "Login", "Username": username, "Secret": secret, "Events": "on"}
            )
        except BaseException:
            session.close()
            raise
        if answer.response != "Success":
            session.close()
            raise ChannelMisconfigured(f"AMI login rejected: {answer.message or answer.response}")
        return session

    async def action(self, fields: dict[str, str], as_list: bool | None = False) -> Any:
        """Send one action and wait for its answer (a list for event lists), at most the timeout."""
        if self.protocol.closed:
            raise ChannelUnavailable("AMI connection is closed")
        action = Action(fields, as_list=as_list)
        future = self.protocol.send(action, as_list=as_list)
        try:
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation.
            async with asyncio.timeout(self._timeout):
                answer = await future
        except TimeoutError as err:
            self.protocol.responses.pop(action.id, None)
            name = fields.get("Action", "action")
            raise ChannelUnavailable(f"AMI {name} unanswered after {self._timeout}s") from err
        except ConnectionResetError as err:
            raise ChannelUnavailable("AMI connection lost") from err
        refused = isinstance(answer, Message) and answer.response == "Error"
        if refused and "permission denied" in (answer.message or "").lower():
            raise PermissionDenied(fields.get("Action", "action"))
        return answer

    async def watch(self, ping_interval: float) -> None:
        """Ping every interval; a ping unanswered within an interval means the link is dead."""
        while not self.protocol.lost.done():
            done, _ = await asyncio.wait({self.protocol.lost}, timeout=ping_interval)
            if done:
                return
            try:
                async with asyncio.timeout(ping_interval):
                    await self.action({"Action": "Ping"})
            except (ChannelUnavailable, TimeoutError):
                log.warning("AMI: ping unanswered; dropping the connection to reconnect")
                self.abort()
                return

    def abort(self) -> None:
        """Drop the socket now (a half-open link never closes by itself)."""
        self.protocol.transport.abort()

    def close(self) -> None:
        """Close the socket politely."""
        self.protocol.close()
