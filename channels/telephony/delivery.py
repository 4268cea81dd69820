"""Hands finished calls to intake, keeping them and retrying while the store is down."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable

from channels.base import ContactEvent, Sink
from leads.errors import InvalidEvent, StoreUnavailable

log = logging.getLogger(__name__)

ManagerLookup = Callable[[str], Awaitable[int | None]]


class CallDelivery:
    """A bounded queue of call events in front of the sink, drained in order with retries."""

    def __init__(
        self, sink: Sink, first_delay: float, max_delay: float, limit: int = 10_000,
        manager_of: ManagerLookup | None = None,
    ) -> None:
        self._sink = sink
        self._manager_of = manager_of
        self._first_delay, self._max_delay = first_delay, max_delay
        self._pending: deque[ContactEvent] = deque()
        self._limit = limit
        self._ready = asyncio.Event()

    def __len__(self) -> int:
        return len(self._pending)

    def put(self, event: ContactEvent) -> None:
        """Queue one call; past the limit the oldest is dropped (and logged) to bound memory."""
        if len(self._pending) >= self._limit:
            lost = self._pending.popleft()
            log.error("Call queue full while the store is down: call %s dropped", lost.external_id,
                      extra={"channel": "call"})
        self._pending.append(event)
        self._ready.set()

    async def run(self) -> None:
        """Deliver forever; a failing store is retried with backoff, nothing is skipped."""
        failures = 0
        while True:
            while not self._pending:
                self._ready.clear()
                await self._ready.wait()
            event = self._pending[0]
            try:
                await self._sink(await self._with_manager(event))
            except StoreUnavailable:
                failures += 1
                delay = min(self._first_delay * 2 ** min(failures, 16), self._max_delay)
                log.warning("Store unavailable; call %s kept for retry", event.external_id,
                            extra={"channel": "call"})
                await asyncio.sleep(delay * random.uniform(0.5, 1.0))
                continue
            except InvalidEvent as err:
                log.warning("Call %s refused by intake: %s", event.external_id, err.code)
            failures = 0
            self._pending.popleft()

    async def _with_manager(self, event: ContactEvent) -> ContactEvent:
        """The event with `manager_id`: the manager whose extension answered (None if nobody's)."""
        extension = event.details.get("answered_by")
        if self._manager_of is None or not extension:
            return event
        try:
            manager_id = await self._manager_of(extension)
        except Exception as err:  # the store is down: kept and retried like a failed commit
            raise StoreUnavailable(f"looking up extension {extension} failed") from err
        details = {**event.details, "manager_id": manager_id}
        return dataclasses.replace(event, details=details)
