"""Hands finished calls to intake, each on its own: a failing call never holds up the others."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable

from channels.base import ContactEvent, Sink
from channels.telephony.spool import CallSpool
from leads.errors import InvalidEvent, StoreUnavailable

log = logging.getLogger(__name__)

ManagerLookup = Callable[[str], Awaitable[int | None]]
# A call failing in an unexpected way is tried this often, then recorded as refused.
_UNEXPECTED_ATTEMPTS = 5


@dataclasses.dataclass
class _Pending:
    event: ContactEvent
    attempts: int = 0
    due: float = 0.0


class CallDelivery:
    """Undelivered calls in arrival order, each retried with its own backoff.

    A store outage (StoreUnavailable) is retried until the store is back; a refusal
    (InvalidEvent, or repeated unexpected failures) is recorded in `refused` with its reason.
    At most `limit` calls wait (the oldest is dropped beyond it); with a spool they survive
    a restart.
    """

    def __init__(
        self, sink: Sink, first_delay: float, max_delay: float, limit: int = 10_000,
        manager_of: ManagerLookup | None = None, spool: CallSpool | None = None,
    ) -> None:  # fmt: skip
        self._sink = sink
        self._manager_of = manager_of
        self._spool = spool
        self._first_delay, self._max_delay = first_delay, max_delay
        self._pending: dict[str, _Pending] = {}
        self._limit = limit
        self._wake = asyncio.Event()
        self.refused: deque[tuple[str, str]] = deque(maxlen=100)
        if spool is not None:
            for event in spool.load():
                self._pending[event.external_id] = _Pending(event)

    def __len__(self) -> int:
        return len(self._pending)

    def put(self, event: ContactEvent) -> None:
        """Queue one call (a newer record of the same call replaces the older one)."""
        self._pending.pop(event.external_id, None)
        if len(self._pending) >= self._limit:
            lost = next(iter(self._pending))
            del self._pending[lost]
            log.error("Call queue full while the store is down: call %s dropped", lost,
                      extra={"channel": "call"})
        self._pending[event.external_id] = _Pending(event)
        self._saved()
        self._wake.set()

    async def run(self) -> None:
        """Deliver forever: the oldest call that is due first, each failure on its own clock."""
        while True:
            pending = self._next_due()
            if pending is None:
                await self._sleep_until_due()
                continue
            await self._deliver(pending)

    async def _deliver(self, pending: _Pending) -> None:
        event = pending.event
        try:
            await self._sink(await self._with_manager(event))
        except StoreUnavailable:
            self._retry_later(pending, "store unavailable")
            return
        except InvalidEvent as err:
            self._refuse(event, err.code)
        except Exception as err:  # never let one call stop the others
            if pending.attempts + 1 < _UNEXPECTED_ATTEMPTS:
                self._retry_later(pending, type(err).__name__)
                return
            self._refuse(event, f"failed {_UNEXPECTED_ATTEMPTS} times: {type(err).__name__}")
        else:
            # The store took a call: those waiting on a backoff are likely fine now, in order.
            for other in self._pending.values():
                other.due = 0.0
        if self._pending.get(event.external_id) is pending:
            del self._pending[event.external_id]
            self._saved()

    def _retry_later(self, pending: _Pending, reason: str) -> None:
        pending.attempts += 1
        delay = min(self._first_delay * 2 ** min(pending.attempts, 16), self._max_delay)
        pending.due = time.monotonic() + delay * random.uniform(0.5, 1.0)
        log.warning("Call %s not stored (%s); retry %d later", pending.event.external_id, reason,
                    pending.attempts, extra={"channel": "call"})  # fmt: skip

    def _refuse(self, event: ContactEvent, reason: str) -> None:
        self.refused.append((event.external_id, reason))
        log.warning("Call %s refused by intake: %s", event.external_id, reason,
                    extra={"channel": "call"})

    def _next_due(self) -> _Pending | None:
        now = time.monotonic()
        return next((p for p in self._pending.values() if p.due <= now), None)

    async def _sleep_until_due(self) -> None:
        self._wake.clear()
        soonest = min((p.due for p in self._pending.values()), default=None)
        timeout = None if soonest is None else max(soonest - time.monotonic(), 0.0)
        try:
            async with asyncio.timeout(timeout):
                await self._wake.wait()
        except TimeoutError:
            pass

    def _saved(self) -> None:
        if self._spool is not None:
            try:
                self._spool.save(p.event for p in self._pending.values())
            except OSError as err:
                log.error("Call spool not written: %s", err)

    async def _with_manager(self, event: ContactEvent) -> ContactEvent:
        """The event with `manager_id`: the manager whose extension answered or placed the call."""
        extension = event.details.get("answered_by") or event.details.get("placed_by")
        if self._manager_of is None or not extension:
            return event
        try:
            manager_id = await self._manager_of(extension)
        except Exception as err:  # the store is down: kept and retried like a failed commit
            raise StoreUnavailable(f"looking up extension {extension} failed") from err
        details = {**event.details, "manager_id": manager_id}
        return dataclasses.replace(event, details=details)
