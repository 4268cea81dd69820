"""Live updates: one poller per process reads what changed in the database and tells every
open inbox by server-sent events (GET /app/events).

Polling the database is what lets any process see changes made by any other, on SQLite as on
PostgreSQL: the outbox rows are the messages the notifiers get (offers, withdrawals, the team
queue), and a fingerprint of the leads catches accepts, closes, new touches and notes. The
poller runs only while someone listens.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store import change_feed
from crm_store import integration_events as events
from crm_store.integration_events import Position

log = logging.getLogger(__name__)
_BATCH = 500


@dataclass(frozen=True)
class Change:
    """One thing to tell the inboxes; `manager_id` None means anyone who may see it."""

    event: str
    lead_id: int | None = None
    manager_id: int | None = None
    team: str | None = None

    def as_sse(self) -> bytes:
        """The change as an SSE message."""
        body = json.dumps({"event": self.event, "lead_id": self.lead_id})
        return f"event: change\ndata: {body}\n\n".encode()


def change_of(routing_key: str, payload: dict[str, Any]) -> Change:
    """An outbox message as a change: who it concerns, without any personal data."""
    event = str(payload.get("event") or routing_key.rsplit(".", 1)[0])
    manager = payload.get("manager") or {}
    manager_id = manager.get("id") if isinstance(manager, dict) else None
    lead_id = payload.get("lead_id")
    return Change(event, lead_id if isinstance(lead_id, int) else None,
                  manager_id if isinstance(manager_id, int) else None,
                  payload.get("team") if isinstance(payload.get("team"), str) else None)


class LiveFeed:
    """Polls for changes while anyone listens and fans them out to the listeners' queues."""

    def __init__(self, engine: AsyncEngine, poll_seconds: float = 0.5) -> None:
        self._engine = engine
        self._poll = poll_seconds
        self._listeners: set[asyncio.Queue[Change | None]] = set()
        self._task: asyncio.Task[None] | None = None

    def listen(self) -> asyncio.Queue[Change | None]:
        """A queue of changes for one open page; None in it means the service is stopping."""
        queue: asyncio.Queue[Change | None] = asyncio.Queue(maxsize=100)
        self._listeners.add(queue)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        return queue

    def leave(self, queue: asyncio.Queue[Change | None]) -> None:
        """The page went away."""
        self._listeners.discard(queue)

    async def close(self) -> None:
        """Stop polling and end every open stream."""
        for queue in list(self._listeners):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(None)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def _tell(self, change: Change) -> None:
        for queue in list(self._listeners):
            with contextlib.suppress(asyncio.QueueFull):  # a stuck page refetches anyway
                queue.put_nowait(change)

    async def _run(self) -> None:
        position: Position | None = None
        last_print: tuple[Any, ...] | None = None
        while self._listeners:
            try:
                async with self._engine.connect() as conn:
                    below = await events.horizon(conn)
                    if position is None:  # from now on: what committed before is on the page
                        position = await events.end_of_outbox(conn, below)
                        last_print = await change_feed.fingerprint(conn)
                    messages = await events.outbox_messages(conn, position, below, _BATCH)
                    printed = await change_feed.fingerprint(conn)
            except Exception as err:  # the database is away: the pages keep what they show
                log.warning("live updates paused: %s", type(err).__name__)
                await asyncio.sleep(max(self._poll, 2.0))
                continue
            for _, message in messages:
                self._tell(change_of(message["routing_key"], message["payload"] or {}))
            position = messages[-1][0] if messages else position
            if printed != last_print:
                last_print = printed
                self._tell(Change("changed"))
            if len(messages) < _BATCH:  # else more are waiting: read on at once
                await asyncio.sleep(self._poll)
