"""The bounded hand-off from the AMI socket to the call tracker, with its time markers."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass

from channels.telephony.framing import Headers


@dataclass(frozen=True, slots=True)
class Connected:
    """A marker in the event stream: a session started at `at` (the last one was lost at)."""

    at: float
    lost_at: float | None


@dataclass(frozen=True, slots=True)
class Tick:
    """A marker in the event stream: time has passed (stale calls, calls awaiting their Cdr)."""

    at: float


InboxItem = tuple[float, Headers] | Connected | Tick


class EventInbox:
    """A bounded hand-off from the socket to the tracker: reading pauses while it is full."""

    def __init__(self, high_water: int = 10_000) -> None:
        self._items: deque[InboxItem] = deque()
        self._high = high_water
        self._ready = asyncio.Event()
        self._paused: asyncio.Transport | None = None

    def __len__(self) -> int:
        return len(self._items)

    def put(self, item: InboxItem, transport: asyncio.Transport | None = None) -> None:
        """Add an item; pause `transport` until the consumer has caught up."""
        self._items.append(item)
        self._ready.set()
        if transport is not None and self._paused is None and len(self._items) >= self._high:
            transport.pause_reading()
            self._paused = transport

    async def get(self) -> InboxItem:
        """The oldest item, waiting for one."""
        while not self._items:
            self._ready.clear()
            await self._ready.wait()
        item = self._items.popleft()
        if self._paused is not None and len(self._items) <= self._high // 2:
            if not self._paused.is_closing():
                self._paused.resume_reading()
            self._paused = None
        return item
