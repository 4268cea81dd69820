"""Several real `leadgate run` processes on one database and one broker, and a client for them.

Each member is a subprocess with its own HTTP port and a log file in the work folder. Leads are
posted round-robin over the living members with a submission id, so a post that hit a member
as it died is sent again to another one and stays one touch.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Member:
    """One `leadgate run` process."""

    port: int
    process: asyncio.subprocess.Process
    log: Path
    started_at: float
    serving_after: float | None = None
    """Seconds from start to the first /healthz answer."""

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    """Starts, kills and talks to the members; all of them share one config and one database."""

    workdir: Path
    config: str
    env: Mapping[str, str]
    members: list[Member] = field(default_factory=list)
    session: aiohttp.ClientSession | None = None
    starting: list[asyncio.Task[Member]] = field(default_factory=list)

    async def start(self, count: int) -> None:
        """Start `count` members at once; return when each of them serves HTTP."""
        (self.workdir / "leadgate.toml").write_text(self.config)
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        await asyncio.gather(*(self.add() for _ in range(count)))

    async def add(self) -> Member:
        """Start one more member; return when it serves HTTP."""
        port = free_port()
        log = self.workdir / f"leadgate-{port}.log"
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "leadgate.cli", "run", cwd=self.workdir,
                env={"PATH": "/usr/bin:/bin", **self.env, "LEADGATE_HTTP_PORT": str(port)},
                stdout=asyncio.subprocess.DEVNULL, stderr=out)
        member = Member(port, process, log, time.monotonic())
        self.members.append(member)
        async with asyncio.timeout(120):
            while True:
                if process.returncode is not None:
                    raise AssertionError(f"leadgate run exited: {log.read_text()[-2000:]}")
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    await self.health(member)
                    break
                await asyncio.sleep(0.05)
        member.serving_after = time.monotonic() - member.started_at
        return member

    def start_another(self) -> None:
        """Start one more member in the background (a restart after a kill)."""
        self.starting.append(asyncio.create_task(self.add()))

    async def at_least(self, count: int) -> None:
        """Wait for members still starting, and start more until `count` of them serve."""
        await asyncio.gather(*self.starting)
        self.starting.clear()
        while len(self.living) < count:
            await self.add()

    @property
    def living(self) -> list[Member]:
        return [m for m in self.members if m.process.returncode is None]

    async def health(self, member: Member) -> dict[str, Any]:
        """The member's /healthz body."""
        assert self.session is not None
        async with self.session.get(member.url + "/healthz") as answer:
            return dict(await answer.json())

    async def holder(self, singleton: str, within: float = 10.0) -> Member:
        """The member that runs `singleton`, as that member itself says."""
        async with asyncio.timeout(within):
            while True:
                for member in self.living:
                    with contextlib.suppress(aiohttp.ClientError, OSError):
                        held = (await self.health(member))["singletons"].get(singleton, {})
                        if held.get("here"):
                            return member
                await asyncio.sleep(0.05)

    def kill(self, member: Member) -> None:
        """SIGKILL: no clean-up, its connections simply end."""
        os.kill(member.pid, signal.SIGKILL)

    async def reaped(self, member: Member) -> None:
        await member.process.wait()

    async def post_leads(self, first: int, count: int, concurrency: int = 32) -> list[int]:
        """Post leads `first`..`first+count-1` over the living members; the HTTP statuses."""
        assert self.session is not None
        pending = iter(range(first, first + count))
        statuses: dict[int, int] = {}

        async def worker() -> None:
            for n in pending:
                statuses[n] = await self._post_one(n)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return [statuses[n] for n in sorted(statuses)]

    async def _post_one(self, n: int) -> int:
        assert self.session is not None
        body = {"phone": f"+99890{n:07d}", "name": f"Lead {n}", "submission_id": f"lead-{n}"}
        failures: list[str] = []
        for attempt in range(100):
            members = self.living
            member = members[(n + attempt) % len(members)]
            try:
                async with self.session.post(member.url + "/forms/contact", json=body) as answer:
                    if answer.status < 500:
                        return answer.status
                    failures.append(str(answer.status))
            except (aiohttp.ClientError, OSError) as err:
                failures.append(type(err).__name__)  # it died under us: try another member
            await asyncio.sleep(0.2)
        raise AssertionError(f"lead {n} was never accepted: {failures[-5:]}")

    async def stop(self) -> None:
        """SIGTERM every living member and wait for them."""
        await asyncio.gather(*self.starting, return_exceptions=True)
        for member in self.living:
            with contextlib.suppress(ProcessLookupError):
                member.process.send_signal(signal.SIGTERM)
        for member in self.members:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(member.process.wait(), 60)
            if member.process.returncode is None:
                member.process.kill()
        if self.session is not None:
            await self.session.close()
