"""The store room: the engine and every part that writes through it, built without I/O.

The intake writer, routing's desk, the outbox writer and the one outbox signal they all ring
(the relay waits on it) are built here, once; opening (migrations, the staff sync, starting the
intake writers) is the running service's job, not the builder's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from channels.base import CursorStore
from crm_store.cursors import SqlCursorStore
from crm_store.engine import create_engine, is_sqlite
from crm_store.group_commit import GroupCommitter
from crm_store.intake_writer import IntakeWriter
from crm_store.outbox import OutboxSignal
from crm_store.outbox_wake import OutboxWake
from crm_store.routing_store import SqlRoutingStore
from crm_store.singleton_locks import SingletonLocks
from leadgate.compose.own_contacts import own_identities
from leadgate.settings import Settings
from leads.errors import ConfigError
from leads.intake import IntakePolicy
from leads.model import IntakeResult
from leads.ports import LeadRouter, PreparedEvent
from routing.config import RoutingConfig
from routing.desk import LeadDesk
from routing.relay import OutboxWriter
from routing.router import RulesRouter


@dataclass(frozen=True)
class Store:
    """The store and its writers: what every other room is built from."""

    engine: AsyncEngine
    intake: IntakeWriter
    """Where every channel hands its events; answers after commit (crm_store.intake_writer)."""
    cursors: CursorStore
    routing: RoutingConfig
    desk: LeadDesk
    outbox: OutboxSignal
    announce: OutboxWriter
    """Queues an event outside intake (a ringing call, an alert) in the outbox, once per id."""
    locks: SingletonLocks | None
    """The cluster's advisory locks (PostgreSQL); None on SQLite, which takes one process."""

    @property
    def policy(self) -> IntakePolicy:
        """The intake knobs (repeat window, callback delay, default region)."""
        return self.intake.policy

    @property
    def committer(self) -> GroupCommitter[PreparedEvent, IntakeResult]:
        """The intake writers, started and stopped with the service."""
        return self.intake.committer


def build_store(settings: Settings, router: LeadRouter[SqlRoutingStore] | None = None) -> Store:
    """The store's parts in dependency order; no connection is opened yet."""
    routing = routing_config(settings)
    engine = create_engine(settings.database_url)
    outbox = OutboxSignal(None if is_sqlite(engine) else OutboxWake(engine, settings.database_url))
    intake = IntakeWriter(engine, intake_policy(settings), router or RulesRouter(routing), outbox)
    locks = None if is_sqlite(engine) else SingletonLocks(settings.database_url)
    return Store(engine, intake, SqlCursorStore(engine), routing, LeadDesk(engine, outbox),
                 outbox, OutboxWriter(engine, outbox), locks)


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
