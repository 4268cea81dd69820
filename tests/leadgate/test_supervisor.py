"""A failing channel is restarted with backoff; a misconfigured one stops and says why."""

from __future__ import annotations

import asyncio

import pytest

from leadgate.health import Health
from leadgate.supervisor import supervise
from leads.errors import ChannelMisconfigured, ChannelUnavailable
from leads.model import Sink
from tests.fakes import RecordingSink


class FlakyChannel:
    """Fails `failures` times, then runs until cancelled."""

    name = "flaky"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.runs = 0
        self.running = asyncio.Event()

    async def run(self, sink: Sink) -> None:
        self.runs += 1
        if self.runs <= self.failures:
            raise ChannelUnavailable("server down")
        self.running.set()
        await asyncio.Event().wait()


class MisconfiguredChannel:
    """Refuses to start: wrong credentials."""

    name = "broken"
    runs = 0

    async def run(self, sink: Sink) -> None:
        self.runs += 1
        raise ChannelMisconfigured("authentication failed")


async def test_unavailable_channel_is_restarted_until_it_runs() -> None:
    channel, health = FlakyChannel(failures=2), Health()
    task = asyncio.create_task(supervise(channel, RecordingSink(), health, max_backoff=0.01))
    try:
        await asyncio.wait_for(channel.running.wait(), timeout=30)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert channel.runs == 3
    assert health.channels["flaky"].state == "stopped"


async def test_misconfigured_channel_stops_and_is_reported_once() -> None:
    channel, health = MisconfiguredChannel(), Health()
    await asyncio.wait_for(supervise(channel, RecordingSink(), health), timeout=30)

    assert channel.runs == 1
    assert health.channels["broken"].state == "misconfigured"
    assert "authentication failed" in health.channels["broken"].detail
    assert not health.healthy
