"""Composition root: builds the real store, intake and router; tests pass their own pieces."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from channels.base import CursorStore
from crm_store.cursors import SqlCursorStore
from crm_store.engine import create_engine, is_sqlite
from crm_store.group_commit import GroupCommitter
from crm_store.migrate import upgrade_if_empty
from crm_store.uow import SqlUnitOfWork
from leadgate.health import Health
from leadgate.metrics import Metrics
from leadgate.settings import Settings
from leads.batch_intake import intake_group
from leads.errors import ConfigError
from leads.intake import IntakePolicy, intake, prepare
from leads.model import ContactEvent, IntakeResult, utcnow
from leads.ports import LeadRouter, PreparedEvent
from routing.config import RoutingConfig
from routing.desk import LeadDesk
from routing.relay import OutboxWriter
from routing.router import RulesRouter
from routing.sync import apply_config


@dataclass
class Core:
    """The running heart of Leadgate: the store, the intake sink, cursors and health."""

    settings: Settings
    engine: AsyncEngine
    policy: IntakePolicy
    committer: GroupCommitter[PreparedEvent, IntakeResult]
    cursors: CursorStore
    health: Health
    routing: RoutingConfig
    desk: LeadDesk
    metrics: Metrics
    outbox_written: Callable[[], None] = field(default=lambda: None)
    """Set by the outbox relay: called after every commit that may have written to the outbox."""

    async def publish(self, routing_key: str, payload: dict[str, Any], message_id: str) -> None:
        """Announce an event outside intake (a ringing call) through the outbox, once per id."""
        await OutboxWriter(self.engine, self.outbox_written)(routing_key, payload, message_id)

    async def sink(self, event: ContactEvent) -> IntakeResult:
        """Store one event durably; raises InvalidEvent or StoreUnavailable."""
        return await self._submit(prepare(event, self.policy))

    async def release(self, event: ContactEvent) -> IntakeResult:
        """Let a quarantined event through intake as if it had just arrived (no ban check)."""
        return await self._submit(replace(prepare(event, self.policy), screened=True))

    async def _submit(self, prepared: PreparedEvent) -> IntakeResult:
        result = await self.committer.submit(prepared)
        if result.lead_id is not None:
            self.outbox_written()
        return result


def intake_policy(settings: Settings) -> IntakePolicy:
    """The intake knobs from the settings."""
    return IntakePolicy(
        default_region=settings.default_region,
        repeat_window=timedelta(days=settings.repeat_window_days),
        callback_after=timedelta(minutes=settings.callback_minutes),
    )


def routing_config(settings: Settings) -> RoutingConfig:
    """Teams, managers and rules from the settings; ConfigError says what is wrong."""
    try:
        return RoutingConfig.from_toml(settings.raw)
    except ValueError as err:
        raise ConfigError(str(err)) from err


@asynccontextmanager
async def open_core(
    database_url: str | None = None,
    settings: Settings | None = None,
    router: LeadRouter | None = None,
) -> AsyncIterator[Core]:
    """Open the store (creating the schema in an empty database) and start the intake writers."""
    settings = settings or Settings()
    routing = routing_config(settings)
    engine = create_engine(database_url or settings.database_url)
    try:
        await upgrade_if_empty(engine)
        await apply_config(engine, routing)
        policy = intake_policy(settings)
        chosen_router: LeadRouter = router or RulesRouter(routing)

        async def work(uow: SqlUnitOfWork, prepared: PreparedEvent) -> IntakeResult:
            return await intake(uow, prepared, policy, chosen_router, utcnow())

        async def group_work(
            uow: SqlUnitOfWork, group: list[PreparedEvent]
        ) -> list[IntakeResult]:
            return await intake_group(uow, group, policy, chosen_router, utcnow())

        writers = 1 if is_sqlite(engine) else 4
        committer = GroupCommitter(engine, work, group_work=group_work, writers=writers)
        await committer.start()
        try:
            health = Health()
            core = Core(settings, engine, policy, committer, SqlCursorStore(engine), health,
                        routing, LeadDesk(engine), Metrics(health))
            core.desk.written = lambda: core.outbox_written()
            yield core
        finally:
            await committer.stop()
    finally:
        await engine.dispose()
