"""One test per captured form request in tests/fixtures/forms (see the fixtures README)."""

from __future__ import annotations

import json

from crm_store.tokens import create_token
from tests.conftest import FIXTURES
from tests.store_counts import row_counts
from tests.support.leadgate_http import Answer, LeadgateClient


async def _replay(leadgate: LeadgateClient, name: str, form: str) -> Answer:
    request = json.loads((FIXTURES / "forms" / f"{name}.json").read_text("utf-8"))
    body = request["body"]
    data = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return await leadgate.post_form(
        form, data, request["content_type"], headers=request.get("headers", {})
    )


async def _card(leadgate: LeadgateClient, customer_id: int) -> dict:
    leadgate.token = await create_token(leadgate.store.engine, "admin")
    return (await leadgate.get(f"/api/customers/{customer_id}")).body


async def test_tilda_webhook_becomes_a_lead_with_utm_and_tranid(leadgate: LeadgateClient) -> None:
    answer = await _replay(leadgate, "tilda_webhook", "contact")

    assert answer.status == 201
    card = await _card(leadgate, answer.body["customer_id"])
    assert {(i["kind"], i["value"]) for i in card["identities"]} == {
        ("phone", "+998901234567"),
        ("email", "dilnoza.karimova@example.uz"),
    }
    [touch] = card["timeline"]
    assert touch["external_id"] == "contact:4821763:5520019"
    assert touch["attribution"]["utm_source"] == "instagram"
    assert touch["raw_bytes"] > 0


async def test_tilda_test_ping_answers_200_and_writes_nothing(leadgate: LeadgateClient) -> None:
    answer = await _replay(leadgate, "tilda_test_ping", "contact")

    assert answer.status == 200
    assert set((await row_counts(leadgate.store.engine)).values()) == {0}


async def test_elementor_webhook_gets_exactly_200_and_keeps_the_page(
    leadgate: LeadgateClient,
) -> None:
    answer = await _replay(leadgate, "elementor_webhook", "lt")

    assert answer.status == 200
    card = await _card(leadgate, answer.body["customer_id"])
    assert {i["value"] for i in card["identities"]} == {
        "+37061234567",
        "jonas.petraitis@example.lt",
    }
    assert card["name"] == "Jonas Petraitis"
    assert card["timeline"][0]["attribution"]["page_url"] == "https://leadgate-demo.lt/kontaktai/"


async def test_plain_json_keeps_utm_and_referrer(leadgate: LeadgateClient) -> None:
    answer = await _replay(leadgate, "plain_json", "price")

    card = await _card(leadgate, answer.body["customer_id"])
    assert {i["value"] for i in card["identities"]} == {"+79123456789", "ivan.petrov@example.ru"}
    attribution = card["timeline"][0]["attribution"]
    assert (attribution["utm_source"], attribution["referrer"]) == ("yandex", "https://yandex.ru/")
    assert card["timeline"][0]["text"] == "Перезвоните после 18:00"


async def test_browser_post_is_redirected_to_the_thank_you_page(leadgate: LeadgateClient) -> None:
    answer = await _replay(leadgate, "html_form_post", "contact")

    assert answer.status == 303
    assert answer.headers["Location"] == "https://example.uz/thanks"
    counts = await row_counts(leadgate.store.engine)
    assert (counts["leads"], counts["identities"]) == (1, 1)


async def test_filled_honeypot_looks_accepted_but_makes_no_lead(leadgate: LeadgateClient) -> None:
    answer = await _replay(leadgate, "honeypot_filled", "contact")

    assert answer.status == 201
    counts = await row_counts(leadgate.store.engine)
    assert (counts["leads"], counts["customers"], counts["ignored"]) == (0, 0, 1)
    metrics = (await leadgate.get("/metrics")).text
    assert 'leadgate_channel_events_total{channel="webform",outcome="spam"} 1' in metrics
