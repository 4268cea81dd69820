"""Runs each long-lived channel, restarting it with backoff; one broken channel stops no other."""

from __future__ import annotations

import asyncio
import logging

from channels.base import Channel, Sink
from leadgate.health import Health
from leads.errors import ChannelMisconfigured

log = logging.getLogger(__name__)


async def supervise(
    channel: Channel, sink: Sink, health: Health, max_backoff: float = 60.0
) -> None:
    """Run `channel` until cancelled; misconfiguration stops it, anything else restarts it."""
    backoff = min(1.0, max_backoff)
    while True:
        health.report(channel.name, "connecting")
        try:
            await channel.run(sink)
            health.report(channel.name, "stopped")
            return
        except asyncio.CancelledError:
            health.report(channel.name, "stopped")
            raise
        except ChannelMisconfigured as err:
            health.report(channel.name, "misconfigured", str(err))
            log.error("channel %s is misconfigured and stays stopped: %s", channel.name, err)
            return
        except Exception as err:  # the supervisor is the one place that must survive anything
            health.report(channel.name, "unavailable", f"{type(err).__name__}: {err}")
            log.warning("channel %s failed (%s); restarting in %.0f s", channel.name, err, backoff)
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, max_backoff)
