"""`leadgate run` as managers meet it: a real process (two on PostgreSQL, sharing the port),
the office's config with a PBX, passwords set through the CLI, and headless Chromium."""

from __future__ import annotations

import asyncio
import io
import math
import struct
import sys
import wave
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
from playwright.async_api import Browser, Page, async_playwright

from crm_store.engine import is_sqlite_url
from tests.leadgate.test_run import _free_port
from tests.workspace.staff import PASSWORD

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "workspace"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

CONFIG = """\
default_region = "RU"
[forms.contact]
name = "Contact"
[webforms]
rate_limit_per_minute = 0
[managers.aziz]
name = "Aziz Yusupov"
extension = "201"
[managers.olga]
name = "Olga Petrova"
extension = "202"
[managers.boss]
name = "Dilnoza Karimova"
[teams.sales]
members = ["aziz"]
[teams.support]
members = ["olga"]
[routing]
default_team = "sales"
sla_tick_seconds = 1
[[routing.rules]]
match = {{ utm_source = "facebook" }}
team = "support"
[asterisk]
host = "127.0.0.1"
port = {ami_port}
username = "leadgate"
secret = "secret"
trunk_contexts = ["from-trunk"]
own_numbers = ["74951234567"]
default_region = "RU"
[asterisk.did."74951234567"]
source = "yandex_direct"
"""


class Service:
    """A running Leadgate: its URL, and ways to post a form and run its CLI."""

    def __init__(self, base: str, cwd: Path, env: dict[str, str]) -> None:
        self.base = base
        self.cwd = cwd
        self.env = env

    async def post_form(self, fields: dict[str, str]) -> dict[str, Any]:
        """A website form post from outside; the JSON answer."""
        async with aiohttp.ClientSession() as session, session.post(
            self.base + "/forms/contact", json=fields
        ) as answer:
            assert answer.status == 201, await answer.text()
            return dict(await answer.json())

    async def cli(self, *args: str, stdin: str = "") -> str:
        """Run a `leadgate` command beside the service; its output."""
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "leadgate.cli", *args, cwd=self.cwd, env=self.env,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        out, err = await process.communicate(stdin.encode())
        assert process.returncode == 0, err.decode()
        return out.decode()


@asynccontextmanager
async def leadgate_run(database_url: str, ami_port: int, cwd: Path) -> AsyncIterator[Service]:
    """`leadgate run` with the office config; aziz, olga and the admin boss get passwords."""
    (cwd / "leadgate.toml").write_text(CONFIG.format(ami_port=ami_port))
    port = _free_port()
    env = {"PATH": "/usr/bin:/bin", "LEADGATE_HTTP_PORT": str(port),
           "LEADGATE_DATABASE_URL": database_url}
    workers = [] if is_sqlite_url(database_url) else ["--workers", "2"]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "leadgate.cli", "run", *workers, cwd=cwd, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    service = Service(f"http://127.0.0.1:{port}", cwd, env)
    try:
        await _healthy(service.base, process)
        for login in ("aziz", "olga"):
            await service.cli("managers", "set", login, "--password-stdin", stdin=PASSWORD)
        await service.cli("managers", "set", "boss", "--password-stdin", "--admin",
                          stdin=PASSWORD)
        yield service
    finally:
        process.terminate()
        _, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()[-3000:]


async def _healthy(base: str, process: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            assert process.returncode is None, "leadgate run exited"
            try:
                async with session.get(base + "/healthz") as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("leadgate run never answered /healthz")


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """Debian's headless Chromium, driven by Playwright."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def logged_in(browser: Browser, service: Service, login: str,
                    width: int = 1280) -> Page:
    """A new browser window in which `login` has logged in through the form."""
    context = await browser.new_context(viewport={"width": width, "height": 900},
                                        locale="en-US")
    page = await context.new_page()
    await page.goto(service.base + "/app/login")
    await page.fill("input[name=login]", login)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit].primary")
    await page.wait_for_url(service.base + "/app/")
    return page


async def screenshot(page: Page, name: str) -> Path:
    """Save the whole page under test-output/workspace/."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


def tone_wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A short 440 Hz tone as a WAV file, like a call recording."""
    frames = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate)))
                      for n in range(int(seconds * rate)))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()
