"""WhatsApp Cloud API webhooks: handshake, signatures, and each captured payload's outcome."""

from __future__ import annotations

import json
from typing import Any

from tests.store_counts import row_counts
from tests.support.leadgate_http import LeadgateClient
from tests.support.meta import VERIFY_TOKEN, fixture, post_signed

PATH = "/whatsapp/main"


async def card(leadgate: LeadgateClient, customer_id: int) -> dict[str, Any]:
    answer = await leadgate.get(f"/api/customers/{customer_id}")
    assert answer.status == 200
    body: dict[str, Any] = answer.body
    return body


async def only_customer(leadgate: LeadgateClient) -> dict[str, Any]:
    found = await leadgate.get("/api/customers?phone=%2B998901234567")
    assert found.status == 200, found.body
    body: dict[str, Any] = found.body
    return body


async def test_the_subscription_handshake_answers_the_challenge_as_text(
    leadgate: LeadgateClient,
) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158"}
    answer = await leadgate.request("GET", PATH, params=query)

    assert (answer.status, answer.text) == (200, "1158")
    assert answer.headers["Content-Type"].startswith("text/plain")


async def test_a_wrong_verify_token_gets_403(leadgate: LeadgateClient) -> None:
    query = fixture("whatsapp", "bad_verify_token")["query"]
    answer = await leadgate.request("GET", PATH, params=query)

    assert answer.status == 403
    assert answer.body["error"] == "bad_verify_token"


async def test_a_forged_signature_gets_403_and_stores_nothing(leadgate: LeadgateClient) -> None:
    forged = fixture("whatsapp", "forged_signature")
    body = json.dumps(forged["body"]).encode()
    answer = await leadgate.request("POST", PATH, data=body, headers=forged["headers"])
    unsigned = await leadgate.request("POST", PATH, data=body)

    assert (answer.status, unsigned.status) == (403, 403)
    assert answer.body["error"] == "bad_signature"
    assert (await row_counts(leadgate.store.engine))["touches"] == 0


async def test_a_text_message_is_a_lead_with_the_whatsapp_phone_on_the_card(
    leadgate: LeadgateClient,
) -> None:
    answer = await post_signed(leadgate, PATH, fixture("whatsapp", "text_message"))

    assert answer.status == 200
    found = await only_customer(leadgate)
    assert found["name"] == "Dilnoza Karimova"
    assert ("phone", "+998901234567") in {(i["kind"], i["value"]) for i in found["identities"]}
    touch = found["timeline"][0]
    assert touch["channel"] == "whatsapp"
    assert touch["text"].startswith("Здравствуйте!")
    assert touch["details"]["wa_id"] == "998901234567"
    assert found["leads"][0]["attribution"]["whatsapp"] == "main"


async def test_a_redelivered_message_is_stored_once(leadgate: LeadgateClient) -> None:
    payload = fixture("whatsapp", "text_message")
    answers = [await post_signed(leadgate, PATH, payload) for _ in range(3)]

    assert [a.status for a in answers] == [200, 200, 200]
    counts = await row_counts(leadgate.store.engine)
    assert (counts["touches"], counts["leads"], counts["customers"]) == (1, 1, 1)


async def test_media_is_kept_as_a_reference_with_its_caption(leadgate: LeadgateClient) -> None:
    await post_signed(leadgate, PATH, fixture("whatsapp", "image_with_caption"))

    touch = (await only_customer(leadgate))["timeline"][0]
    assert touch["text"] == "Вот такую модель хочу"
    assert touch["details"]["media"] == {
        "type": "image", "id": "1479537139650973", "mime_type": "image/jpeg",
        "sha256": "P2vmRL0xXJxqGqCrk7dL4PQ7JCGmF7Nh3N9HEpf0WlE=",
        "caption": "Вот такую модель хочу",
    }


async def test_the_customers_own_shared_contact_adds_their_email_others_stay_text(
    leadgate: LeadgateClient,
) -> None:
    await post_signed(leadgate, PATH, fixture("whatsapp", "contact_shared"))

    found = await only_customer(leadgate)
    identities = {(i["kind"], i["value"]) for i in found["identities"]}
    assert ("email", "dilnoza.karimova@example.uz") in identities
    assert ("phone", "+998935551234") not in identities
    touch = found["timeline"][0]
    assert "Rustam Aliyev" in touch["text"]
    assert [c["name"] for c in touch["details"]["contacts"]] == ["Dilnoza Karimova",
                                                                 "Rustam Aliyev"]


async def test_a_click_to_whatsapp_ad_is_attribution_with_source_and_ad_id(
    leadgate: LeadgateClient,
) -> None:
    answer = await post_signed(leadgate, PATH, fixture("whatsapp", "ad_referral"))

    assert answer.status == 200
    found = (await leadgate.get("/api/customers?phone=%2B998977778899")).body
    attribution = found["leads"][0]["attribution"]
    assert attribution["utm_source"] == "instagram"
    assert attribution["ad_id"] == "120212345678900123"
    assert attribution["ad_headline"] == "Скидка 20% на доставку"


async def test_a_delivery_status_is_known_and_ignored(leadgate: LeadgateClient) -> None:
    answer = await post_signed(leadgate, PATH, fixture("whatsapp", "status_delivered"))

    assert answer.status == 200
    assert (await row_counts(leadgate.store.engine))["touches"] == 0


async def test_a_body_that_is_no_whatsapp_payload_is_400(leadgate: LeadgateClient) -> None:
    answer = await post_signed(leadgate, PATH, {"object": "page", "entry": []})
    garbage = await post_signed(leadgate, PATH, {"object": "whatsapp_business_account",
                                                 "entry": "x"})

    assert (answer.status, garbage.status) == (400, 400)
    assert answer.body["error"] == "malformed"


async def test_a_customer_who_writes_on_whatsapp_and_then_calls_is_one_card(
    leadgate: LeadgateClient,
) -> None:
    from datetime import UTC, datetime

    from leads.model import ContactEvent, RawIdentity

    written = await post_signed(leadgate, PATH, fixture("whatsapp", "text_message"))
    call = ContactEvent(
        channel="call", external_id="1762156800.42",
        occurred_at=datetime.fromtimestamp(1762156800, UTC),  # an hour after the message
        identities=(RawIdentity("phone", "8 90 123 45 67"),), region="UZ",
        details={"disposition": "answered"},
    )
    called = await leadgate.store.intake(call)

    assert written.status == 200
    found = await only_customer(leadgate)
    assert found["id"] == called.customer_id
    assert [t["channel"] for t in found["timeline"]] == ["whatsapp", "call"]
    assert len(found["leads"]) == 1


async def test_a_reaction_is_known_and_ignored(leadgate: LeadgateClient) -> None:
    answer = await post_signed(leadgate, PATH, fixture("whatsapp", "reaction"))

    assert answer.status == 200
    assert (await row_counts(leadgate.store.engine))["touches"] == 0


async def test_a_number_phonenumbers_calls_invalid_still_makes_a_card_by_whatsapp_id(
    leadgate: LeadgateClient,
) -> None:
    payload = fixture("whatsapp", "text_message")
    value = payload["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["wa_id"] = value["messages"][0]["from"] = "15550783881"

    answer = await post_signed(leadgate, PATH, payload)

    assert answer.status == 200
    counts = await row_counts(leadgate.store.engine)
    assert (counts["customers"], counts["touches"]) == (1, 1)
