"""Leadgate killed and started again while a call is going on still logs that call, once."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import func, select

from crm_store.engine import create_engine
from crm_store.tables import touches
from tests.channels.telephony.ami_server import AmiTestServer, load_trace
from tests.channels.telephony.test_faults import split_at_answer

CONFIG = """
default_region = "RU"
[asterisk]
host = "127.0.0.1"
port = {port}
username = "leadgate"
secret = "secret"
trunk_contexts = ["from-trunk"]
own_numbers = ["74951234567"]
ping_interval = 2
action_timeout = 2
cdr_wait_seconds = 1
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def leadgate_run(
    config: Path, database_url: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`leadgate run` as its own process; killed without warning if still running at the end."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LEADGATE_DATABASE_URL": database_url,
           "LEADGATE_HTTP_PORT": str(_free_port())}  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "leadgate.cli", "--config", str(config), "run",
        cwd=config.parent, env=env, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def call_touches(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(touches)) or 0)
    finally:
        await engine.dispose()


async def test_a_call_going_on_while_leadgate_is_killed_and_restarted_is_on_the_card_once(
    database_url: str, tmp_path: Path
) -> None:
    server = await AmiTestServer().start()
    config = tmp_path / "leadgate.toml"
    config.write_text(CONFIG.format(port=server.port))
    talking, ending = split_at_answer(load_trace("answered_recorded"))
    try:
        async with leadgate_run(config, database_url) as first:
            await server.logged_in(within=30)
            await server.listed()
            await server.replay(talking, speed=20)
            await asyncio.sleep(0.3)
            first.send_signal(signal.SIGKILL)  # no goodbye: the call is only in its memory
            await first.wait()
        # Asterisk still has the call up when the new process asks.
        server.live_channels = [
            ("PJSIP/trunk-00000000", "1795334023.0", "1795334023.0"),
            ("PJSIP/201-00000001", "1795334023.1", "1795334023.0"),
        ]
        async with leadgate_run(config, database_url):
            await server.logged_in(count=2, within=30)
            await server.listed(count=2)
            await server.replay(ending, speed=20)
            async with asyncio.timeout(30):
                while await call_touches(database_url) == 0:  # noqa: ASYNC110 - another process
                    await asyncio.sleep(0.2)
            await asyncio.sleep(1.5)  # a second touch, if one were coming, would be here now
            assert await call_touches(database_url) == 1
    finally:
        await server.stop()
