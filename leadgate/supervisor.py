"""Runs each channel or loop, restarting it with backoff; one broken one stops no other.

A channel runs with its sink (`supervise`); routing's own loops (outbox relay, SLA timer,
notifier consumer, managers' bot, silence watch) are plain `Loop`s with no sink
(`supervise_loop`). Both report their state on /healthz under their name.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from channels.base import Channel, HealthReporter, Sink
from leadgate.health import Health
from leads.errors import ChannelMisconfigured, LeadgateError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Loop:
    """A long-running task of routing's (not a channel: it reads the store, not a sink)."""

    name: str
    run: Callable[[], Awaitable[None]]


async def supervise(
    channel: Channel, sink: Sink, health: Health, max_backoff: float = 60.0,
    reset_after: float = 30.0, clock: Callable[[], float] = time.monotonic,
) -> None:
    """Run `channel` with `sink` until cancelled, restarting it as `supervise_loop` does."""
    await supervise_loop(Loop(channel.name, partial(channel.run, sink)), health, max_backoff,
                         reset_after, clock)


async def supervise_loop(
    loop: Loop, health: HealthReporter, max_backoff: float = 60.0,
    reset_after: float = 30.0, clock: Callable[[], float] = time.monotonic,
) -> None:
    """Run `loop` until cancelled; misconfiguration stops it, anything else restarts it.

    The backoff doubles after each failure and starts again from one second once a run has
    lasted `reset_after` seconds: a blip after hours of service is retried at once.
    """
    first = min(1.0, max_backoff)
    backoff = first
    try:
        while True:
            started = clock()
            failure = await _run_once(loop, health)
            if failure is None:
                return
            if clock() - started >= reset_after:
                backoff = first
            log.warning("%s failed (%s); restarting in %.0f s", loop.name, failure, backoff,
                        extra={"component": loop.name})
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, max_backoff)
    except asyncio.CancelledError:
        health.report(loop.name, "stopped")
        raise


async def _run_once(loop: Loop, health: HealthReporter) -> str | None:
    """One run; the reason it failed, or None when it ended for good (returned, misconfigured)."""
    health.report(loop.name, "starting")
    try:
        await loop.run()
    except ChannelMisconfigured as err:
        health.report(loop.name, "misconfigured", str(err))
        log.error("%s is misconfigured and stays stopped: %s", loop.name, err,
                  extra={"component": loop.name})
        return None
    except Exception as err:  # the supervisor is the one place that must survive anything
        health.report(loop.name, "down", _reason(err))
        return _reason(err)
    health.report(loop.name, "stopped")
    return None


def _reason(err: Exception) -> str:
    """A short reason: our own errors say it themselves, others by type (texts may be personal)."""
    if isinstance(err, LeadgateError):
        return str(err)
    if isinstance(err, OSError) and err.strerror:
        return f"{type(err).__name__}: {err.strerror}"
    return type(err).__name__
