"""What a website needs from a form endpoint: CORS, multipart, and the embeddable snippet."""

from __future__ import annotations

import aiohttp

from tests.support.leadgate_http import LeadgateClient


async def test_preflight_from_an_allowed_origin_is_answered_with_cors_headers(
    leadgate: LeadgateClient,
) -> None:
    answer = await leadgate.request(
        "OPTIONS", "/forms/callback", headers={"Origin": "https://shop.example"}
    )

    assert answer.status == 204
    assert answer.headers["Access-Control-Allow-Origin"] == "https://shop.example"


async def test_post_from_an_allowed_origin_carries_the_cors_header(
    leadgate: LeadgateClient,
) -> None:
    answer = await leadgate.post_form(
        "callback", {"phone": "+79123456789"}, headers={"Origin": "https://shop.example"}
    )

    assert answer.status == 201
    assert answer.headers["Access-Control-Allow-Origin"] == "https://shop.example"


async def test_multipart_form_data_from_the_snippet_is_accepted(leadgate: LeadgateClient) -> None:
    form = aiohttp.FormData()
    form.add_field("name", "Азиз")
    form.add_field("phone", "90 123 45 67")
    form.add_field("cv", b"%PDF-1.4", filename="cv.pdf", content_type="application/pdf")
    answer = await leadgate.request("POST", "/forms/contact", data=form)

    assert answer.status == 201, answer.text


async def test_snippet_is_javascript_that_posts_to_this_form(leadgate: LeadgateClient) -> None:
    answer = await leadgate.get("/forms/contact.js")

    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("application/javascript")
    assert f"{leadgate.base}/forms/contact" in answer.text
    assert '"https://example.uz/thanks"' in answer.text


async def test_snippet_of_an_unknown_form_is_404(leadgate: LeadgateClient) -> None:
    assert (await leadgate.get("/forms/nope.js")).status == 404
