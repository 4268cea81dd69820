"""Form bots are caught quietly: they get an answer that looks real, and no lead is made."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from channels.webforms.spam import STAMP_FIELD, FillStamps
from tests.store_counts import row_counts
from tests.support.leadgate_http import TEST_FORMS, LeadgateClient, running_leadgate

SECRET = "stamp-secret-for-the-tests"
SLOW_FORM = {"slow": {"name": "Slow", "default_region": "UZ", "min_fill_seconds": 3}}


@pytest.fixture
async def lg(database_url: str) -> AsyncIterator[LeadgateClient]:
    async with running_leadgate(
        database_url, webforms={"rate_limit_per_minute": 0, "stamp_secret": SECRET},
        forms={**TEST_FORMS, **SLOW_FORM},
    ) as client:
        yield client


def stamp(seconds_ago: float, form: str = "slow") -> str:
    return FillStamps(SECRET).issue(form, time.time() - seconds_ago)


async def test_a_caught_honeypot_is_answered_like_a_stored_post_with_later_ids(
    lg: LeadgateClient,
) -> None:
    real = await lg.post_form("contact", {"phone": "+998901232001"})
    caught = await lg.post_form("contact", {"phone": "+998901232002", "website": "spam.example"})
    counts = await row_counts(lg.store.engine)

    assert (real.status, caught.status) == (201, 201)
    assert set(caught.body) == set(real.body)
    assert caught.body["lead_id"] > real.body["lead_id"]
    assert caught.body["customer_id"] > real.body["customer_id"]
    assert (counts["leads"], counts["ignored"]) == (1, 1)


async def test_a_form_filled_slower_than_its_minimum_is_a_lead(lg: LeadgateClient) -> None:
    answer = await lg.post_form("slow", {"phone": "+998901232003", STAMP_FIELD: stamp(10)})

    assert answer.status == 201
    assert (await row_counts(lg.store.engine))["leads"] == 1


@pytest.mark.parametrize("given", [None, "now", "forged", "other-form"])
async def test_a_post_without_a_genuine_old_enough_stamp_is_quietly_spam(
    lg: LeadgateClient, given: str | None
) -> None:
    stamps = {None: None, "now": stamp(0), "forged": f"{int(time.time()) - 60}.{'0' * 32}",
              "other-form": stamp(60, "contact")}
    fields = {"phone": "+998901232004"}
    if stamps[given] is not None:
        fields[STAMP_FIELD] = str(stamps[given])
    answer = await lg.post_form("slow", fields)
    counts = await row_counts(lg.store.engine)

    assert answer.status == 201 and answer.body["lead_id"] is not None
    assert (counts["leads"], counts["ignored"]) == (0, 1)


async def test_the_snippet_carries_a_fresh_stamp_and_is_never_cached(lg: LeadgateClient) -> None:
    answer = await lg.get("/forms/slow.js")

    assert answer.headers["Cache-Control"] == "no-store"
    issued = answer.text.split("var stamp = ", 1)[1].split(";", 1)[0].strip('"')
    assert FillStamps(SECRET).seconds_since("slow", issued, time.time()) is not None


async def test_the_snippet_posts_to_the_public_url(database_url: str) -> None:
    async with running_leadgate(database_url, public_url="https://leads.example.uz") as lg:
        answer = await lg.get("/forms/contact.js")

    assert 'var endpoint = "https://leads.example.uz/forms/contact";' in answer.text


async def test_behind_a_trusted_proxy_the_snippet_posts_to_the_forwarded_scheme_and_host(
    database_url: str,
) -> None:
    async with running_leadgate(database_url, webforms={"trust_forwarded_for": True}) as lg:
        answer = await lg.get("/forms/contact.js", headers={
            "X-Forwarded-Proto": "https", "X-Forwarded-Host": "forms.example.uz"})

    assert 'var endpoint = "https://forms.example.uz/forms/contact";' in answer.text
