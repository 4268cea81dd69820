"""Benchmark: the inbox with 200 open leads: page weight and time to first render in Chromium.

Starts `leadgate run` (SQLite by default, `--database-url` for PostgreSQL) with the test office,
posts `--leads` forms (each a new customer: the manager gets offers up to their capacity, the
rest wait in their team's queue, all on the manager's inbox), logs the manager in with headless
Chromium and, in the same run, measures (1) Leadgate: the inbox page's weight (HTML, CSS, JS)
and, over `--rounds` loads, the server's answer time and the first contentful paint; (2) the
ceiling: the very same HTML, saved, served by a bare aiohttp handler beside the same static
files, loaded the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from playwright.async_api import Page  # noqa: E402

from tests.channels.telephony.ami_server import AmiTestServer  # noqa: E402
from tests.workspace.service import chromium, leadgate_run, logged_in  # noqa: E402

STATIC = Path(__file__).resolve().parent.parent / "workspace" / "static"
PAINT = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  return {ttfb: nav.responseStart - nav.requestStart, fcp: fcp ? fcp.startTime : null,
          html: nav.encodedBodySize,
          assets: performance.getEntriesByType("resource").map(r => [r.name, r.encodedBodySize])};
}"""


async def fill(base: str, leads: int) -> None:
    """Post `leads` forms, 16 at a time, each from a new customer."""
    async with aiohttp.ClientSession() as session:
        async def one(n: int) -> None:
            body = {"name": f"Клиент {n}", "phone": f"+7 916 {n // 10000:03d}-{n % 10000:04d}",
                    "message": "Добрый день! Сколько стоит доставка 20 коробок в Казань? " * 2}
            async with session.post(base + "/forms/contact", json=body) as answer:
                assert answer.status == 201, await answer.text()

        for start in range(0, leads, 16):
            await asyncio.gather(*(one(n) for n in range(start, min(leads, start + 16))))


async def loads(page: Page, url: str, rounds: int) -> list[dict[str, object]]:
    """Load the page `rounds` times; its timings each time."""
    found = []
    for _ in range(rounds):
        await page.goto(url, wait_until="load")
        await page.wait_for_timeout(100)  # the paint entry is recorded just after load
        found.append(await page.evaluate(PAINT))
    return found


async def static_twin(html: bytes) -> tuple[web.AppRunner, str]:
    """A bare aiohttp server answering the saved HTML and the workspace's static files."""
    async def page(request: web.Request) -> web.Response:
        return web.Response(body=html, content_type="text/html")

    app = web.Application()
    app.router.add_get("/app/", page)
    app.router.add_static("/app/static/", STATIC)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/app/"


def median(rows: list[dict[str, object]], key: str) -> float:
    """The median of one timing."""
    return statistics.median(float(row[key]) for row in rows if row[key] is not None)  # type: ignore[arg-type]


async def main(database_url: str, leads: int, rounds: int) -> None:
    """Fill, measure, print."""
    ami = await AmiTestServer().start()
    with tempfile.TemporaryDirectory() as folder:
        async with leadgate_run(database_url, ami.port, Path(folder)) as lg, chromium() as browser:
            started = time.perf_counter()
            await fill(lg.base, leads)
            print(f"posted {leads} forms in {time.perf_counter() - started:.1f} s")
            page = await logged_in(browser, lg, "aziz")
            ours = await loads(page, lg.base + "/app/", rounds)
            html = (await page.content()).encode()
            counts = await page.evaluate(
                "() => [...document.querySelectorAll('.list')].map(s => s.id + ' ' + "
                "s.querySelectorAll('li').length)")
            runner, twin_url = await static_twin(await _raw_inbox(page, lg.base))
            try:
                twin_page = await browser.new_page()
                twin = await loads(twin_page, twin_url, rounds)
            finally:
                await runner.cleanup()
    await ami.stop()
    assets = {name.split("/")[-1].split("?")[0]: size for name, size in ours[0]["assets"]}  # type: ignore[union-attr]
    print(f"inbox lists: {', '.join(counts)}")
    print(f"page weight: HTML {ours[0]['html'] / 1024:.1f} KiB (rendered DOM {len(html) / 1024:.1f}"
          f" KiB), " + ", ".join(f"{n} {s / 1024:.1f} KiB" for n, s in sorted(assets.items()))
          + "; no other requests")
    print(f"Leadgate: answer {median(ours, 'ttfb'):.1f} ms, first contentful paint "
          f"{median(ours, 'fcp'):.1f} ms (median of {rounds})")
    print(f"ceiling (same HTML, static): answer {median(twin, 'ttfb'):.1f} ms, first contentful "
          f"paint {median(twin, 'fcp'):.1f} ms")
    print(f"ratio of first paints: {median(twin, 'fcp') / median(ours, 'fcp'):.2f} of the ceiling")


async def _raw_inbox(page: Page, base: str) -> bytes:
    """The inbox's HTML exactly as the server sent it."""
    answer = await page.request.get(base + "/app/")
    return await answer.body()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None,
                        help="default: a fresh SQLite file in a temporary folder")
    parser.add_argument("--leads", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    asyncio.run(main(args.database_url or "sqlite+aiosqlite:///./leadgate.db", args.leads,
                     args.rounds))
