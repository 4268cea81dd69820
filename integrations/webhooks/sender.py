"""The webhook sender loop: queue new events for each webhook, POST what is due, back off."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store import webhook_store as store
from crm_store.lead_events import EventScanner
from crm_store.uow import SqlUnitOfWork
from integrations.webhooks.settings import WebhookSettings
from integrations.webhooks.signing import delivery_id, next_attempt, request_of
from leads.model import utcnow

log = logging.getLogger(__name__)


class WebhookSender:
    """Runs once per cluster (`name` = "webhooks"): every delivery is recorded in the store."""

    name = "webhooks"

    def __init__(self, engine: AsyncEngine, webhooks: Sequence[WebhookSettings],
                 poll_seconds: float = 1.0, clock: Callable[[], datetime] = utcnow) -> None:
        self._engine = engine
        self._webhooks = {w.name: w for w in webhooks}
        self._scanner = EventScanner(engine, "integrations:webhooks")
        self._poll = poll_seconds
        self._clock = clock

    async def run(self) -> None:
        """Queue and deliver until cancelled."""
        async with aiohttp.ClientSession() as session:
            while True:
                await self.step(session)
                await asyncio.sleep(self._poll)

    async def step(self, session: aiohttp.ClientSession) -> int:
        """One round: queue new events, then attempt every due delivery; how many were tried."""
        now = self._clock()
        await self.queue_new_events(now)
        async with self._engine.connect() as conn:
            due = await store.due(conn, now)
        for delivery in due:
            await self._attempt(session, delivery, now)
        return len(due)

    async def queue_new_events(self, now: datetime) -> int:
        """Record a delivery per new event and subscribed webhook, then move the cursor on."""
        events = await self._scanner.scan(now)
        queued = [
            store.QueuedEvent(hook.name, e.event_id, e.event, delivery_id(hook.name, e.event_id),
                              e.data)
            for e in events for hook in self._webhooks.values() if hook.wants(e.event)
        ]
        async with SqlUnitOfWork(self._engine) as uow:
            added = await store.enqueue(uow.connection, queued, now)
            await uow.commit()
        await self._scanner.commit()
        return added

    async def _attempt(self, session: aiohttp.ClientSession, delivery: store.Delivery,
                       now: datetime) -> None:
        hook = self._webhooks.get(delivery.webhook)
        if hook is None:
            return  # a webhook removed from the config: its deliveries wait for it
        body, headers = request_of(hook.secret, delivery.event, delivery.delivery_id,
                                   delivery.payload)
        error = await _post(session, hook, body, headers)
        attempts = delivery.attempts + 1
        retry_at = None
        if error is not None and attempts < hook.max_attempts:
            retry_at = next_attempt(now, attempts, hook.backoff_seconds, hook.max_backoff_seconds)
        if error is not None:
            log.warning("webhook %s delivery %s failed (%s), attempt %d of %d", hook.name,
                        delivery.id, error, attempts, hook.max_attempts)
        async with SqlUnitOfWork(self._engine) as uow:
            await store.record_attempt(uow.connection, delivery.id, now, error, retry_at)
            await uow.commit()


async def _post(session: aiohttp.ClientSession, hook: WebhookSettings, body: bytes,
                headers: dict[str, str]) -> str | None:
    """None when the receiver took it (2xx), else why not."""
    try:
        async with session.post(hook.url, data=body, headers=headers,
                                timeout=aiohttp.ClientTimeout(total=hook.timeout_seconds)
                                ) as answer:
            return None if 200 <= answer.status < 300 else f"answered {answer.status}"
    except (aiohttp.ClientError, TimeoutError) as err:
        return f"unreachable: {type(err).__name__}"
