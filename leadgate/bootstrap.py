"""The composition root: `bootstrap(settings)` builds the whole service, once, in order.

First the core (`open_core`: the store, the intake writer, the desks, the outbox signal every
writer rings), then the channels the configuration enables, routing's relay, notifiers and
loops, and the HTTP app. `leadgate run` and the tests' running service both start here; tests
that need only the store and intake open the core alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, TypedDict, Unpack

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from channels.base import CursorStore
from crm_store.cursors import SqlCursorStore
from crm_store.engine import create_engine
from crm_store.group_commit import GroupCommitter
from crm_store.intake_writer import IntakeWriter
from crm_store.migrate import upgrade_if_empty
from crm_store.outbox import OutboxSignal
from crm_store.routing_store import SqlRoutingStore
from leadgate.health import Health
from leadgate.metrics import Metrics
from leadgate.own_contacts import own_identities
from leadgate.settings import Settings
from leads.errors import ConfigError
from leads.intake import IntakePolicy
from leads.model import IntakeResult
from leads.ports import LeadRouter, PreparedEvent
from routing.config import RoutingConfig
from routing.desk import LeadDesk
from routing.relay import OutboxWriter
from routing.router import RulesRouter
from routing.sync import apply_config

if TYPE_CHECKING:
    from leadgate.channels_wiring import EnabledChannels
    from leadgate.routing_wiring import RoutingServices
    from leadgate.supervisor import Loop
    from routing.replies import ReplyService


@dataclass(frozen=True)
class Core:
    """The running heart of Leadgate: the store, the intake sink, cursors and health.

    Built once, in dependency order, by `open_core`; nothing is rewired afterwards. Every
    writer rings the one `outbox` signal the relay waits on.
    """

    settings: Settings
    engine: AsyncEngine
    sink: IntakeWriter
    """Where every channel hands its events; answers after commit (crm_store.intake_writer)."""
    cursors: CursorStore
    health: Health
    routing: RoutingConfig
    desk: LeadDesk
    metrics: Metrics
    outbox: OutboxSignal
    publish: OutboxWriter
    """Announces an event outside intake (a ringing call) through the outbox, once per id."""

    @property
    def policy(self) -> IntakePolicy:
        """The intake knobs (repeat window, callback delay, default region)."""
        return self.sink.policy

    @property
    def committer(self) -> GroupCommitter[PreparedEvent, IntakeResult]:
        """The intake writers, started and stopped with the core."""
        return self.sink.committer


def intake_policy(settings: Settings) -> IntakePolicy:
    """The intake knobs from the settings."""
    return IntakePolicy(
        default_region=settings.default_region,
        repeat_window=timedelta(days=settings.repeat_window_days),
        callback_after=timedelta(minutes=settings.callback_minutes),
        own_identities=own_identities(settings.raw, settings.default_region),
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
    router: LeadRouter[SqlRoutingStore] | None = None,
) -> AsyncIterator[Core]:
    """Open the store (creating the schema in an empty database) and start the intake writers."""
    settings = settings or Settings()
    routing = routing_config(settings)
    engine = create_engine(database_url or settings.database_url)
    try:
        await upgrade_if_empty(engine)
        await apply_config(engine, routing)
        outbox = OutboxSignal()
        sink = IntakeWriter(engine, intake_policy(settings), router or RulesRouter(routing), outbox)
        await sink.committer.start()
        try:
            health = Health()
            core = Core(settings, engine, sink, SqlCursorStore(engine), health, routing,
                        LeadDesk(engine, outbox), Metrics(health), outbox,
                        OutboxWriter(engine, outbox))
            yield core
        finally:
            await sink.committer.stop()
    finally:
        await engine.dispose()


class Overrides(TypedDict, total=False):
    """Parts a caller (a test, a benchmark) brings instead of the configured ones."""

    router: LeadRouter[SqlRoutingStore]


@dataclass(frozen=True)
class Service:
    """Leadgate, built: the core, the enabled channels, routing's parts and the HTTP app."""

    core: Core
    channels: EnabledChannels
    routing: RoutingServices
    replies: ReplyService
    integrations: list[Loop]
    """Outgoing webhooks, CRM exporters and the acknowledger: loops of their own."""
    app: web.Application



@asynccontextmanager
async def bootstrap(settings: Settings, **overrides: Unpack[Overrides]) -> AsyncIterator[Service]:
    """Build and open the whole service; ConfigError names a section that cannot be used."""
    # Imported here: the wiring modules name Core from this module.
    from leadgate.channels_wiring import build_channels, close_channels
    from leadgate.http_app import build_app
    from leadgate.integrations_wiring import build_integrations
    from leadgate.replies_wiring import acknowledgement_loops, build_replies
    from leadgate.routing_wiring import build_routing

    async with open_core(settings=settings, router=overrides.get("router")) as core:
        channels = build_channels(settings, core)
        routing = build_routing(settings, core, channels.telegram_bots())
        replies = build_replies(settings, core, channels)
        integrations = [*build_integrations(settings, core),
                        *acknowledgement_loops(settings, core, replies)]
        app = build_app(core, channels.webhooks, routing.routes, channels.originator, replies)
        try:
            yield Service(core, channels, routing, replies, integrations, app)
        finally:
            await close_channels(channels)
            if routing.manager_bot is not None:
                await routing.manager_bot.aclose()
