"""The reports page in a real headless Chromium: charts drawn, the range changed, CSV downloaded."""

from __future__ import annotations

import asyncio
from pathlib import Path

from playwright.async_api import Page

from leadgate.settings import Settings
from tests.channels.telephony.ami_server import AmiTestServer
from tests.channels.telephony.conftest import ami_server_fixture  # noqa: F401 - a fixture
from tests.reports.history import FLOOR, Clock, build
from tests.support.leadgate_http import opened_store
from tests.workspace.service import chromium, leadgate_run, logged_in, screenshot


async def bars(page: Page, section: str) -> list[str]:
    """The values of the bars (or points) drawn in one section's charts."""
    return await page.eval_on_selector_all(
        f"#{section} svg .bar, #{section} svg .point", "els => els.map(e => e.dataset.value)")


async def chart_counts(page: Page, section: str) -> list[int]:
    """How many bars or points each chart of the section draws."""
    return await page.eval_on_selector_all(
        f"#{section} svg.chart",
        "charts => charts.map(c => c.querySelectorAll('.bar, .point').length)")


async def test_an_admin_reads_the_reports_changes_the_range_and_downloads_the_csv(
    database_url: str, ami_server: AmiTestServer, tmp_path: Path
) -> None:
    backend = database_url.split("+")[0]
    async with opened_store(Settings(database_url=database_url, default_region="UZ",
                                           raw=FLOOR)) as core:
        await build(core, Clock())  # the office's config below keeps the company on UTC
    async with leadgate_run(database_url, ami_server.port, tmp_path) as lg, \
            chromium() as browser:
        boss = await logged_in(browser, lg, "boss")
        await boss.goto(lg.base + "/app/reports?from=2026-11-02&to=2026-11-03")
        first = {s: await chart_counts(boss, s) for s in ("funnel", "response", "recovery",
                                                          "volume")}
        funnel = await bars(boss, "funnel")
        recovery = await bars(boss, "recovery")
        await screenshot(boss, f"reports-{backend}")

        await boss.fill("input[name=from]", "2026-11-01")
        await boss.click("form.range button[type=submit]")
        await boss.wait_for_url("**/app/reports?from=2026-11-01*")
        wider = await chart_counts(boss, "volume")
        wider_funnel = await bars(boss, "funnel")
        async with boss.expect_download() as waiting:
            await boss.click("a.csv")
        download = await waiting.value
        csv = await asyncio.to_thread(Path(await download.path()).read_text)
        aziz = await logged_in(browser, lg, "aziz")
        refused = await aziz.goto(lg.base + "/app/reports")

    assert first == {"funnel": [4], "response": [12], "recovery": [4], "volume": [2, 24, 7]}
    assert funnel == ["7", "4", "4", "2"]  # leads, accepted, contacted, won (days in UTC)
    assert recovery == ["3", "2", "1", "1"]
    assert wider == [3, 24, 7] and wider_funnel[0] == "9"
    assert download.suggested_filename == "funnel_source_2026-11-01_2026-11-03.csv"
    assert csv.splitlines()[0].startswith("key,leads,accepted,contacted,won,lost,spam")
    assert csv.splitlines()[-1].startswith("total,9,5,4,2,1,1,")
    assert refused is not None and refused.status == 403
