"""A NUL byte or a lone surrogate in a contact's text never loses the contact, on any channel."""

from __future__ import annotations

import json
from typing import Any

from channels.email.parse import parse_mail
from tests.edges.conftest import GENERIC_TOKEN, TELEGRAM_SECRET, telegram_update
from tests.support.leadgate_http import LeadgateClient

DIRTY = "a\u0000b \ud8e3 c\ufffe"


async def card(lg: LeadgateClient, query: str) -> dict[str, Any]:
    answer = await lg.get(f"/api/customers?{query}")
    assert answer.status == 200, answer.text
    body: dict[str, Any] = answer.body
    return body


def texts(card_body: dict[str, Any]) -> list[str]:
    return [touch.get("text") or "" for touch in card_body["timeline"]]


async def test_a_form_with_nul_and_a_lone_surrogate_is_a_touch(lg: LeadgateClient) -> None:
    answer = await lg.post_form("contact", {"phone": "+998901231001", "name": DIRTY,
                                            "message": DIRTY})
    found = await card(lg, "phone=%2B998901231001")

    assert answer.status == 201, answer.text
    assert texts(found) == ["ab \ufffd c\ufffd"]


async def test_an_sms_with_nul_and_a_lone_surrogate_is_a_touch(lg: LeadgateClient) -> None:
    body = json.dumps({"from": "+998901231002", "text": DIRTY, "id": "nul-1"}).encode()
    answer = await lg.request("POST", "/sms/generic", data=body, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {GENERIC_TOKEN}"})
    found = await card(lg, "phone=%2B998901231002")

    assert answer.status == 200, answer.text
    assert texts(found) == ["ab \ufffd c\ufffd"]


async def test_a_telegram_message_with_nul_and_a_lone_surrogate_is_a_touch(
    lg: LeadgateClient,
) -> None:
    user = {"id": 5551002, "is_bot": False, "first_name": DIRTY}
    body = json.dumps(telegram_update(user, DIRTY)).encode()
    answer = await lg.request("POST", "/telegram/main", data=body, headers={
        "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
    [lead] = (await lg.get("/api/leads?channel=telegram")).body["leads"]
    customer_id = lead["customer_id"]
    found = (await lg.get(f"/api/customers/{customer_id}")).body

    assert answer.status == 200, answer.text
    assert texts(found) == ["ab \ufffd c\ufffd"]


async def test_a_mail_with_nul_and_undecodable_bytes_is_a_touch(lg: LeadgateClient) -> None:
    mail = (b"From: Client <client.nul@example.org>\r\nTo: sales@example.uz\r\n"
            b"Subject: a\x00b\r\nMessage-ID: <nul-1@example.org>\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
            b"Call me a\x00b \xed\xa0\x80 +998901231003\r\n")
    result = await lg.store.intake(parse_mail(mail, "sales@example.uz", "UZ"))
    found = await card(lg, "email=client.nul@example.org")

    assert result.lead_id is not None
    assert "\x00" not in texts(found)[0] and "+998901231003" in texts(found)[0]
