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


class BlippingChannel:
    """Runs `uptime` clock-seconds, then fails; forever."""

    name = "blipping"

    def __init__(self, clock: list[float], uptimes: list[float]) -> None:
        self.clock = clock
        self.uptimes = uptimes
        self.sleeps: list[float] = []

    async def run(self, sink: Sink) -> None:
        if not self.uptimes:
            await asyncio.Event().wait()
        self.clock[0] += self.uptimes.pop(0)
        raise ChannelUnavailable("database blip")


async def test_backoff_starts_again_from_one_second_after_a_healthy_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [0.0]
    channel, health = BlippingChannel(clock, [0, 0, 0, 0, 3600, 0]), Health()
    sleeps: list[float] = []
    real_sleep = asyncio.sleep

    async def fake_sleep(delay: float) -> None:
        sleeps.append(delay)
        await real_sleep(0)

    monkeypatch.setattr("leadgate.supervisor.asyncio.sleep", fake_sleep)
    task = asyncio.create_task(supervise(channel, RecordingSink(), health, max_backoff=60,
                                         reset_after=30, clock=lambda: clock[0]))
    for _ in range(100):
        if len(sleeps) == 6:
            break
        await real_sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert sleeps == [1, 2, 4, 8, 1, 2]


async def test_a_failed_run_is_down_with_a_short_reason() -> None:
    clock = [0.0]
    channel, health = BlippingChannel(clock, [0]), Health()
    task = asyncio.create_task(supervise(channel, RecordingSink(), health, max_backoff=5))
    for _ in range(100):
        if "blipping" in health.channels and health.channels["blipping"].state == "down":
            break
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert health.channels["blipping"].state == "stopped"
