"""The CRM exporter loop: each new lead created once in the CRM, its ids kept on the card."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store import crm_export_store as store
from crm_store.lead_events import EventScanner
from crm_store.uow import SqlUnitOfWork
from integrations.crm.settings import CrmSettings
from leads.errors import CrmError, CrmRefused, RateLimited
from leads.model import utcnow

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
"""A claim older than this belongs to a process that died mid-call: the row is taken over."""


class Connector(Protocol):
    """One CRM's API: the record an earlier attempt made, and creating one."""

    async def existing(self, lead: dict[str, Any]) -> tuple[str, str | None] | None: ...

    async def create(self, lead: dict[str, Any]) -> tuple[str, str | None]: ...


class CrmExporter:
    """Runs once per cluster (`name` = "crm:<crm>"); idempotency lives in `crm_exports`.

    Each export is claimed in the database before the CRM is called and gets the CRM's ids
    after; a claim that was made before (a retry, or a process that died mid-call) first asks
    the CRM for the record by our external id, so a lead is never created twice.
    """

    def __init__(self, engine: AsyncEngine, settings: CrmSettings, connector: Connector,
                 poll_seconds: float = 1.0, clock: Callable[[], datetime] = utcnow) -> None:
        self.name = f"crm:{settings.crm}"
        self.settings = settings
        self._engine = engine
        self._connector = connector
        self._scanner = EventScanner(engine, f"integrations:{self.name}")
        self._poll = poll_seconds
        self._clock = clock

    async def run(self) -> None:
        """Export until cancelled; a rate-limit answer pauses the loop as long as it asks."""
        while True:
            pause = await self.step()
            await asyncio.sleep(max(pause, self._poll))

    async def step(self) -> float:
        """Queue new leads, export what is due; seconds the CRM asked us to wait (0 if none)."""
        now = self._clock()
        created = [e.data for e in await self._scanner.scan(now, with_changes=False)]
        async with SqlUnitOfWork(self._engine) as uow:
            await store.enqueue(uow.connection, self.settings.crm, created, now)
            await uow.commit()
        await self._scanner.commit()
        async with SqlUnitOfWork(self._engine) as uow:
            claimed = await store.claim_due(uow.connection, self.settings.crm, now, LEASE)
            await uow.commit()
        for position, export in enumerate(claimed):
            try:
                await self._export(export)
            except RateLimited as limited:
                # The CRM's documented answer: back off every claimed row, not only this one.
                for waiting in claimed[position:]:
                    await self._postpone(waiting, str(limited), limited.retry_after)
                return limited.retry_after
            except CrmError as err:
                await self._postpone(export, str(err), self._backoff(export.attempts), err)
        return 0.0

    async def _export(self, export: store.Export) -> None:
        async with self._engine.connect() as conn:
            lead = await store.lead_for_export(conn, export.lead_id)
        if lead is None:
            raise CrmRefused(f"lead {export.lead_id} no longer exists")
        made = await self._connector.existing(lead) if export.attempts > 1 else None
        if made is None:
            made = await self._connector.create(lead)
        async with SqlUnitOfWork(self._engine) as uow:
            await store.finish(uow.connection, export.id, self._clock(), made[0], made[1])
            await uow.commit()

    async def _postpone(self, export: store.Export, error: str, delay: float,
                        cause: CrmError | None = None) -> None:
        give_up = isinstance(cause, CrmRefused) and export.attempts >= self.settings.max_attempts
        retry_at = None if give_up else self._clock() + timedelta(seconds=delay)
        log.warning("%s: lead %s not exported (%s)%s", self.name, export.lead_id, error,
                    "; given up" if give_up else "")
        async with SqlUnitOfWork(self._engine) as uow:
            await store.postpone(uow.connection, export.id, self._clock(), error, retry_at)
            await uow.commit()

    def _backoff(self, attempts: int) -> float:
        return min(self.settings.backoff_seconds * 2 ** max(attempts - 1, 0), 3600.0)
