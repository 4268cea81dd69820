"""Dedup holds under real concurrency: unique constraints and retry, no in-process locks."""

from __future__ import annotations

import asyncio

import aiohttp

from leads.model import ContactEvent, RawIdentity, utcnow
from tests.conftest import make_settings
from tests.store_counts import row_counts
from tests.support.leadgate_http import opened_store, running_leadgate


async def test_fifty_concurrent_posts_of_one_new_phone_make_one_customer(postgres_url: str) -> None:
    async with running_leadgate(postgres_url) as leadgate:
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=50, force_close=True)
        ) as session:
            leadgate.session = session
            answers = await asyncio.gather(
                *[leadgate.post_form("contact", {"phone": "+998 90 555 44 33"}) for _ in range(50)]
            )
        counts = await row_counts(leadgate.store.engine)

    assert [a.status for a in answers] == [201] * 50
    assert len({a.body["customer_id"] for a in answers}) == 1
    assert (counts["customers"], counts["identities"], counts["touches"]) == (1, 1, 50)


async def test_two_processes_racing_on_one_phone_still_make_one_customer(postgres_url: str) -> None:
    settings = make_settings(postgres_url)
    async with opened_store(settings) as one, opened_store(settings) as two:

        def event(n: int) -> ContactEvent:
            phone = RawIdentity("phone", "+998907776655")
            return ContactEvent("webform", f"race-{n}", utcnow(), (phone,))

        results = await asyncio.gather(*[(one if n % 2 else two).intake(event(n))
                                         for n in range(40)])
        counts = await row_counts(one.engine)

    assert len({r.customer_id for r in results}) == 1
    assert (counts["customers"], counts["touches"]) == (1, 40)
