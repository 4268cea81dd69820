"""The built service: `async with` opens it (schema, staff sync, intake writers) and closes it."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiohttp import web

from crm_store.migrate import upgrade_if_empty
from leadgate.cluster import supervise_once
from leadgate.compose.channels import EnabledChannels
from leadgate.compose.routing import RoutingServices
from leadgate.compose.store import Store
from leadgate.health import Health
from leadgate.metrics import Metrics
from leadgate.settings import Settings
from leadgate.supervisor import Loop, supervise, supervise_loop
from routing.replies import ReplyService
from routing.sync import apply_config


@dataclass(frozen=True)
class Service:
    """Leadgate, built once by `bootstrap`: the store, the channels, routing's parts, the app."""

    settings: Settings
    store: Store
    health: Health
    metrics: Metrics
    channels: EnabledChannels
    routing: RoutingServices
    replies: ReplyService
    integrations: list[Loop]
    """Outgoing webhooks, CRM exporters and the acknowledger: loops of their own."""
    app: web.Application

    async def __aenter__(self) -> Service:
        """Create the schema in an empty database, sync the staff, start the intake writers."""
        try:
            await upgrade_if_empty(self.store.engine)
            await apply_config(self.store.engine, self.store.routing)
            await self.store.committer.start()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        """Close the channels' sessions, stop the intake writers, close the connections."""
        try:
            await self._close_sessions()
            await self.store.committer.stop()
        finally:
            await self.store.engine.dispose()

    async def close(self) -> None:
        """Close a service that was never opened (an admin command read through its store)."""
        try:
            await self._close_sessions()
        finally:
            await self.store.engine.dispose()

    def listening(self) -> None:
        """The server listens: each webhook channel is doing its job from now on."""
        for channel in self.channels.webhooks:
            self.health.report(channel.name, "ok", "listening")

    def supervised(self, wanted: Callable[[str], bool] = lambda name: True,
                   max_backoff: float = 60.0) -> dict[str, Coroutine[Any, Any, None]]:
        """The supervisors of the `wanted` channels and loops by name, each run once in the
        cluster, and the cluster locks' keeper when any of them needs it."""
        locks, health, sink = self.store.locks, self.health, self.store.intake
        running: dict[str, Coroutine[Any, Any, None]] = {}
        for channel in self.channels.loops:
            if wanted(channel.name):
                running[channel.name] = supervise_once(locks, channel.name, functools.partial(
                    supervise, channel, self.metrics.observe(channel.name, sink), health,
                    max_backoff=max_backoff), health)
        for loop in [*self.routing.loops, *self.integrations]:
            if wanted(loop.name):
                running[loop.name] = supervise_once(locks, loop.name, functools.partial(
                    supervise_loop, loop, health.loops, max_backoff=max_backoff), health.loops)
        if running and locks is not None:
            running["singleton-locks"] = locks.run()
        return running

    async def _close_sessions(self) -> None:
        await self.channels.aclose()
        if self.routing.manager_bot is not None:
            await self.routing.manager_bot.aclose()
