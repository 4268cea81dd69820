"""Instagram messaging webhooks: handshake, signatures, and each captured payload's outcome."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from crm_store.cards import customer_by_identity, customer_card
from tests.store_counts import row_counts
from tests.support.leadgate_http import LeadgateClient
from tests.support.meta import VERIFY_TOKEN, fixture, post_signed

PATH = "/instagram/main"
CUSTOMER = "1254459154682919"


async def card_of(leadgate: LeadgateClient, igsid: str = CUSTOMER) -> dict[str, Any]:
    async with leadgate.store.engine.connect() as conn:
        customer = await customer_by_identity(conn, "instagram", igsid)
        assert customer is not None
        card = await customer_card(conn, customer)
    assert card is not None
    return card


async def test_the_subscription_handshake_answers_the_challenge_as_text(
    leadgate: LeadgateClient,
) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "2049"}
    answer = await leadgate.request("GET", PATH, params=query)

    assert (answer.status, answer.text) == (200, "2049")


async def test_a_wrong_verify_token_gets_403(leadgate: LeadgateClient) -> None:
    answer = await leadgate.request("GET", PATH,
                                    params=fixture("instagram", "bad_verify_token")["query"])

    assert answer.status == 403


async def test_a_forged_signature_gets_403_and_stores_nothing(leadgate: LeadgateClient) -> None:
    forged = fixture("instagram", "forged_signature")
    answer = await leadgate.request("POST", PATH, data=json.dumps(forged["body"]).encode(),
                                    headers=forged["headers"])

    assert answer.status == 403
    assert (await row_counts(leadgate.store.engine))["touches"] == 0


async def test_a_direct_message_is_a_lead_on_a_card_holding_the_instagram_id(
    leadgate: LeadgateClient,
) -> None:
    answers = [await post_signed(leadgate, PATH, fixture("instagram", "text_message"))
               for _ in range(2)]

    assert [a.status for a in answers] == [200, 200]
    card = await card_of(leadgate)
    assert [(t["channel"], t["text"]) for t in card["timeline"]] == [
        ("instagram", "Salom! Narxi qancha?")]
    assert card["timeline"][0]["details"]["igsid"] == CUSTOMER
    assert card["leads"][0]["attribution"]["instagram"] == "main"


async def test_an_image_is_kept_as_a_reference(leadgate: LeadgateClient) -> None:
    await post_signed(leadgate, PATH, fixture("instagram", "image_attachment"))

    media = (await card_of(leadgate))["timeline"][0]["details"]["media"]
    assert media[0]["type"] == "image"
    assert media[0]["url"].startswith("https://lookaside.fbsbx.com/ig_messaging_cdn/")


async def test_a_phone_the_customer_shares_joins_their_card(leadgate: LeadgateClient) -> None:
    await post_signed(leadgate, PATH, fixture("instagram", "text_message"))
    await post_signed(leadgate, PATH, fixture("instagram", "contact_phone_quick_reply"))

    card = await card_of(leadgate)
    assert ("phone", "+998901234567") in {(i["kind"], i["value"]) for i in card["identities"]}
    assert len(card["leads"]) == 1


async def test_an_ad_that_opened_the_chat_is_attribution(leadgate: LeadgateClient) -> None:
    await post_signed(leadgate, PATH, fixture("instagram", "ad_referral"))

    attribution = (await card_of(leadgate, "7799001122334455"))["leads"][0]["attribution"]
    assert attribution["utm_source"] == "instagram"
    assert attribution["ad_id"] == "120209876543210987"
    assert attribution["ref"] == "winter_sale"


async def test_read_receipts_and_echoes_are_known_and_ignored(leadgate: LeadgateClient) -> None:
    read = await post_signed(leadgate, PATH, fixture("instagram", "read_receipt"))
    echo = await post_signed(leadgate, PATH, fixture("instagram", "echo_of_our_reply"))

    assert (read.status, echo.status) == (200, 200)
    from crm_store.tables import touches

    async with leadgate.store.engine.connect() as conn:
        assert (await conn.execute(select(touches.c.id))).first() is None
