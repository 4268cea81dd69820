"""The workspace in a real headless Chromium against `leadgate run`, as a manager uses it."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page, Route

from tests.channels.telephony.ami_server import AmiTestServer, load_trace
from tests.channels.telephony.conftest import ami_server_fixture  # noqa: F401 - a fixture
from tests.workspace.service import chromium, leadgate_run, logged_in, screenshot, tone_wav

IVAN = {"name": "Иван Петров", "phone": "+7 916 123-45-67", "email": "ivan@example.ru",
        "message": "Добрый день! Сколько стоит доставка 20 коробок в Казань?",
        "utm_source": "instagram"}
MARIA = {"name": "Мария Иванова", "phone": "+7 903 111-22-33", "utm_source": "facebook",
         "message": "Where is my order?"}


async def test_an_offer_arrives_live_is_accepted_heard_and_won_and_only_its_manager_sees_it(
    database_url: str, ami_server: AmiTestServer, tmp_path: Path
) -> None:
    backend = database_url.split("+")[0]
    async with leadgate_run(database_url, ami_server.port, tmp_path) as lg, chromium() as browser:
        await ami_server.logged_in(within=30)
        aziz = await logged_in(browser, lg, "aziz")
        await aziz.wait_for_selector("body[data-live=on]")
        await aziz.evaluate("window.notReloaded = true")

        lead = await lg.post_form(IVAN)
        await aziz.wait_for_selector("#list-offers li:has-text('Иван Петров')", timeout=2000)
        assert await aziz.evaluate("window.notReloaded") is True
        assert (await aziz.title()).startswith("(1) ")
        await screenshot(aziz, f"inbox-live-offer-{backend}")

        await aziz.click("#list-offers li:has-text('Иван Петров') button:text-is('Accept')")
        await aziz.wait_for_url(f"**/app/leads/{lead['lead_id']}?notice=accepted")
        await ami_server.replay(load_trace("answered_recorded"), speed=50)
        await _until_visible(aziz, ".entry.ch-call audio")
        timeline = await aziz.inner_text(".timeline")
        assert "Сколько стоит доставка 20 коробок" in timeline and "instagram" in timeline
        assert "Answered" in timeline and "answered by 201" in timeline

        await _play_recording(aziz)
        await screenshot(aziz, f"card-call-and-form-{backend}")
        await aziz.click("button:text-is('Won')")
        await aziz.wait_for_url("**?notice=closed")
        assert "won" in await aziz.inner_text(".head")

        other = await lg.post_form(MARIA)
        olga = await logged_in(browser, lg, "olga")
        olga_inbox = await olga.inner_text("main")
        await olga.goto(f"{lg.base}/app/leads/{lead['lead_id']}")
        olga_sees_ivan = await olga.inner_text("main")
        boss = await logged_in(browser, lg, "boss")
        await boss.goto(f"{lg.base}/app/?q=%2B7+916+123+45+67")
        boss_finds_ivan = await boss.inner_text("main")
        await boss.goto(f"{lg.base}/app/leads/{other['lead_id']}")
        boss_sees_maria = await boss.inner_text("main")

    assert "Мария Иванова" in olga_inbox and "Иван Петров" not in olga_inbox
    assert "Иван Петров" not in olga_sees_ivan and "not yours to see" in olga_sees_ivan
    assert "Иван Петров" in boss_finds_ivan and "Мария Иванова" in boss_sees_maria


async def test_the_inbox_and_the_card_fit_a_390_pixel_phone_without_sideways_scrolling(
    database_url: str, ami_server: AmiTestServer, tmp_path: Path
) -> None:
    backend = database_url.split("+")[0]
    async with leadgate_run(database_url, ami_server.port, tmp_path) as lg, chromium() as browser:
        long_words = {**IVAN, "message": "Здравствуйте" * 12 + " https://example.ru/" + "a" * 90}
        first = await lg.post_form(long_words)
        await lg.post_form({**IVAN, "phone": "+998 90 123 45 67", "email": "x@example.uz",
                            "name": "Abdulla Qodiriy-Toshkentiy Samarqandiy"})
        phone = await logged_in(browser, lg, "aziz", width=390)
        inbox_overflow = await _overflow(phone)
        await screenshot(phone, f"inbox-390px-{backend}")
        await phone.goto(f"{lg.base}/app/leads/{first['lead_id']}")
        card_overflow = await _overflow(phone)
        await screenshot(phone, f"card-390px-{backend}")

    assert inbox_overflow <= 0 and card_overflow <= 0


async def _overflow(page: Page) -> int:
    return int(await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"))


async def _until_visible(page: Page, selector: str) -> None:
    """Reload the card until the element shows (the call is stored after its last event)."""
    for _ in range(100):
        if await page.locator(selector).count():
            return
        await page.wait_for_timeout(200)
        await page.reload()
    raise AssertionError(f"{selector} never showed")


async def _play_recording(page: Page) -> None:
    # The recording itself is served by the telephony API (GET /api/calls/{id}/recording);
    # here the browser is handed a tone at that path, so the card's player is what is tested.
    async def serve(route: Route) -> None:
        await route.fulfill(status=200, content_type="audio/wav", body=tone_wav())

    await page.route("**/api/calls/*/recording", serve)
    src = await page.get_attribute(".entry.ch-call audio", "src")
    assert src is not None and src.startswith("/api/calls/") and src.endswith("/recording")
    await page.eval_on_selector(".entry.ch-call audio", "a => a.play()")
    await page.wait_for_function(
        "() => document.querySelector('.entry.ch-call audio').currentTime > 0.2", timeout=5000)
