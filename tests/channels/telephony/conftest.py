"""Fixtures for the telephony channel: the AMI test server and the channel running against it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from channels.telephony.adapter import RingingHook, TelephonyChannel
from channels.telephony.settings import TelephonySettings
from leads.model import Sink
from tests.channels.telephony.ami_server import AmiTestServer
from tests.fakes import RecordingHealth, RecordingSink

ASTERISK_SECTION: dict[str, Any] = {
    "host": "127.0.0.1",
    "username": "leadgate",
    "secret": "secret",
    "trunk_contexts": ["from-trunk"],
    "own_numbers": ["74951234567", "998712000000", "74951230000"],
    "default_region": "RU",
    "ping_interval": 5,
    "action_timeout": 2,
    "did": {
        "74951234567": {"source": "yandex_direct", "campaign": "november", "team": "sales"},
        "998712000000": {"source": "billboard"},
    },
}


def telephony_settings(port: int, **overrides: Any) -> TelephonySettings:
    """The test PBX's settings pointing at a test server's port."""
    return TelephonySettings.from_toml({**ASTERISK_SECTION, "port": port, **overrides})


def scaled_clock(speed: float) -> Callable[[], float]:
    """A clock running `speed` times faster than real time (traces replayed faster)."""
    wall, start = time.time(), time.monotonic()
    return lambda: wall + (time.monotonic() - start) * speed


@pytest.fixture(name="ami_server")
async def ami_server_fixture() -> AsyncIterator[AmiTestServer]:
    """A started AMI test server, stopped after the test."""
    server = await AmiTestServer().start()
    try:
        yield server
    finally:
        await server.stop()


@asynccontextmanager
async def running_channel(
    server: AmiTestServer,
    sink: Sink,
    health: RecordingHealth | None = None,
    on_ringing: RingingHook | None = None,
    clock: Callable[[], float] = time.time,
    **overrides: Any,
) -> AsyncIterator[tuple[TelephonyChannel, asyncio.Task[None]]]:
    """Run a TelephonyChannel against `server` for the block; cancel it afterwards."""
    channel = TelephonyChannel(
        telephony_settings(server.port, **overrides),
        health or RecordingHealth(),
        on_ringing=on_ringing,
        clock=clock,
        reconnect_delays=(0.05, 0.5),
    )
    task = asyncio.create_task(channel.run(sink))
    try:
        yield channel, task
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def wait_for(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Wait until `condition()` holds, failing after a generous timeout."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - the sink offers no event to wait on
            await asyncio.sleep(0.01)


@pytest.fixture
def sink() -> Iterator[RecordingSink]:
    yield RecordingSink()
