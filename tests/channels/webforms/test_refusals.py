"""Every refusal of POST /forms/{key} answers JSON with a code and a reason, and writes nothing."""

from __future__ import annotations

import asyncio
import json

import pytest

from leadgate.compose import Store
from tests.store_counts import row_counts
from tests.support.leadgate_http import LeadgateClient, running_leadgate

EMPTY = {"customers": 0, "identities": 0, "leads": 0, "touches": 0, "merges": 0, "ignored": 0}
URLENCODED = "application/x-www-form-urlencoded"


async def _assert_refused(body: dict[str, str], code: str, core: Store) -> None:
    assert body["error"] == code
    assert body["detail"]
    assert await row_counts(core.engine) == EMPTY


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b'{"phone": "+998901234567"', "application/json", 400, "malformed"),
        (b'["+998901234567"]', "application/json", 400, "malformed"),
        (b"name=\xff\xfe&phone=%2B998901234567", URLENCODED, 400, "malformed"),
        (b'{"name": "\xd0"}', "application/json", 400, "malformed"),
        (b"--b\r\nbroken", "multipart/form-data; boundary=b", 400, "malformed"),
        (b"phone=+998901234567", "text/plain", 415, "unsupported_media_type"),
        (b"phone=+998901234567", None, 415, "unsupported_media_type"),
        (
            b'{"name": "Nobody", "phone": "12", "email": "not-an-email"}',
            "application/json",
            422,
            "no_usable_contact",
        ),
        (b'{"message": "call me"}', "application/json", 422, "no_usable_contact"),
    ],
    ids=[
        "broken-json",
        "json-array",
        "invalid-utf8-form",
        "invalid-utf8-json",
        "broken-multipart",
        "text-plain",
        "no-content-type",
        "invalid-phone-and-email",
        "no-contact-at-all",
    ],
)
async def test_bad_submission_is_refused_with_a_reason_and_nothing_written(
    leadgate: LeadgateClient, body: bytes, content_type: str | None, status: int, code: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {"Content-Type": ""}
    answer = await leadgate.request("POST", "/forms/contact", data=body, headers=headers)

    assert answer.status == status, answer.text
    await _assert_refused(answer.body, code, leadgate.store)


async def test_unknown_form_key_is_404(leadgate: LeadgateClient) -> None:
    answer = await leadgate.post_form("no-such-form", {"phone": "+998901234567"})

    assert answer.status == 404
    await _assert_refused(answer.body, "unknown_form", leadgate.store)


async def test_two_megabyte_body_is_413(leadgate: LeadgateClient) -> None:
    huge = json.dumps({"phone": "+998901234567", "message": "x" * 2_000_000})
    answer = await leadgate.post_form("contact", huge, "application/json")

    assert answer.status == 413
    await _assert_refused(answer.body, "too_large", leadgate.store)


async def test_chunked_body_over_the_limit_is_413(leadgate: LeadgateClient) -> None:
    async def chunks():  # no Content-Length: the limit must hold while reading
        yield b'{"phone": "+998901234567", "message": "'
        for _ in range(40):
            yield b"y" * 64 * 1024
        yield b'"}'

    answer = await leadgate.request(
        "POST", "/forms/contact", data=chunks(), headers={"Content-Type": "application/json"}
    )
    assert answer.status == 413
    await _assert_refused(answer.body, "too_large", leadgate.store)


async def test_origin_not_in_the_forms_list_is_403(leadgate: LeadgateClient) -> None:
    answer = await leadgate.post_form(
        "callback", {"phone": "+79123456789"}, headers={"Origin": "https://evil.example"}
    )

    assert answer.status == 403
    await _assert_refused(answer.body, "origin_not_allowed", leadgate.store)


async def test_posting_faster_than_the_rate_limit_is_429(database_url: str) -> None:
    limits = {"rate_limit_per_minute": 1, "rate_limit_burst": 2}
    async with running_leadgate(database_url, webforms=limits) as leadgate:
        answers = [await leadgate.post_form("contact", {"message": "no contact"}) for _ in range(3)]

        assert [a.status for a in answers] == [422, 422, 429]
        await _assert_refused(answers[2].body, "rate_limited", leadgate.store)


async def test_store_outage_is_503_and_nothing_is_half_written(postgres_url: str) -> None:
    database = postgres_url.rsplit("/", 1)[1]
    async with running_leadgate(postgres_url) as leadgate:
        await leadgate.store.engine.dispose()
        await _admin(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        await _admin(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
        )
        try:
            answer = await leadgate.post_form("contact", {"phone": "+998901234567"})
        finally:
            await _admin(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        assert answer.status == 503
        assert answer.body["error"] == "store_unavailable"
        await asyncio.sleep(0)
        retry = await leadgate.post_form("contact", {"phone": "+998901234567"})
        assert retry.status == 201
        counts = await row_counts(leadgate.store.engine)
    assert (counts["customers"], counts["touches"]) == (1, 1)


async def _admin(sql: str) -> None:
    from tests.conftest import _admin as run

    await run(sql)
