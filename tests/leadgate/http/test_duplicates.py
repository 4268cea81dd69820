"""Cards that look like one person are suggested on the card and in a list, and can be dismissed."""

from __future__ import annotations

import asyncio
from typing import Any

from crm_store.tokens import create_token
from tests.support.leadgate_http import LeadgateClient, running_leadgate


async def _customer(leadgate: LeadgateClient, form: str, fields: dict[str, Any]) -> int:
    posted = await leadgate.post_form(form, fields)
    assert posted.status in (200, 201), posted.text
    return int(posted.body["customer_id"])


async def _suggested(leadgate: LeadgateClient, customer_id: int) -> dict[int, dict[str, Any]]:
    card = await leadgate.get(f"/api/customers/{customer_id}")
    assert card.status == 200, card.text
    return {entry["customer_id"]: entry for entry in card.body["possible_duplicates"]}


async def test_a_name_across_alphabets_is_suggested_with_its_reason(database_url: str) -> None:
    async with running_leadgate(database_url) as leadgate:
        leadgate.token = await create_token(leadgate.store.engine, "admin")
        olga = await _customer(leadgate, "contact",
                               {"name": "Ольга Смирнова", "phone": "90 123 45 67"})
        latin = await _customer(leadgate, "contact",
                                {"name": "Olga Smirnova", "email": "olga.s@example.uz"})
        uzbek = await _customer(leadgate, "contact",
                                {"name": "Шахноза Каримова", "phone": "90 765 43 21"})
        uzbek_latin = await _customer(leadgate, "contact",
                                      {"name": "Shakhnoza Karimova", "email": "sh.k@example.uz"})
        lithuanian = await _customer(leadgate, "lt",
                                     {"name": "Šarūnas Žemaitis", "phone": "612 34567"})
        plain = await _customer(leadgate, "lt",
                                {"name": "Sarunas Zemaitis", "email": "sarunas@example.lt"})
        namesake = await _customer(leadgate, "contact",
                                   {"name": "Olga Petrova", "email": "petrova@example.uz"})
        first_name_only = await _customer(leadgate, "contact",
                                          {"name": "Ольга", "email": "olga@example.com"})
        olgas = await _suggested(leadgate, olga)
        shakhnozas = await _suggested(leadgate, uzbek_latin)
        sarunas = await _suggested(leadgate, plain)
        alone = await _suggested(leadgate, namesake)
        first = await _suggested(leadgate, first_name_only)

    assert set(olgas) == {latin}
    assert olgas[latin]["reason"] == "same_name" and 0 < olgas[latin]["score"] < 1
    assert set(shakhnozas) == {uzbek}
    assert set(sarunas) == {lithuanian}
    assert alone == {} and first == {}


async def test_a_phone_in_another_region_and_a_sister_mailbox_are_suggested(
    database_url: str,
) -> None:
    async with running_leadgate(database_url) as leadgate:
        leadgate.token = await create_token(leadgate.store.engine, "admin")
        uzbek = await _customer(leadgate, "contact", {"phone": "50 123 45 67"})
        ukrainian = await _customer(leadgate, "contact", {"phone": "+380 50 123 45 67"})
        gmail = await _customer(leadgate, "contact", {"email": "ivan.petrov@gmail.com"})
        googlemail = await _customer(leadgate, "contact", {"email": "ivanpetrov@googlemail.com"})
        by_phone = await _suggested(leadgate, ukrainian)
        by_mail = await _suggested(leadgate, gmail)

    assert by_phone[uzbek]["reason"] == "same_phone_other_region"
    assert by_mail[googlemail]["reason"] == "same_email_sister_domain"


async def test_a_dismissed_suggestion_stays_dismissed(database_url: str) -> None:
    async with running_leadgate(database_url) as leadgate:
        leadgate.token = await create_token(leadgate.store.engine, "admin")
        one = await _customer(leadgate, "contact",
                              {"name": "Жасур Нуриддинов", "phone": "90 111 22 33"})
        other = await _customer(leadgate, "contact",
                                {"name": "Jasur Nuriddinov", "email": "jasur@example.com"})
        listed = await leadgate.get("/api/duplicates")
        dismissed = await leadgate.request(
            "POST", f"/api/customers/{one}/duplicates/{other}/dismiss")
        # More contacts from both, one bringing a sister mailbox: still not suggested.
        await leadgate.post_form("contact", {"name": "Jasur Nuriddinov",
                                             "email": "jasur@example.com",
                                             "phone": "+998 90 555 66 77"})
        await leadgate.post_form("contact", {"phone": "90 111 22 33",
                                             "email": "jasur@example.uz"})
        after_one, after_other = await asyncio.gather(
            _suggested(leadgate, one), _suggested(leadgate, other))
        listed_after = await leadgate.get("/api/duplicates")

    pair = {"customer_id": min(one, other), "other_id": max(one, other)}
    assert any(pair.items() <= entry.items() for entry in listed.body["duplicates"])
    assert dismissed.status == 200
    assert other not in after_one and one not in after_other
    assert not any(pair.items() <= entry.items() for entry in listed_after.body["duplicates"])


async def test_cards_created_in_one_group_commit_suggest_each_other(database_url: str) -> None:
    async with running_leadgate(database_url) as leadgate:
        leadgate.token = await create_token(leadgate.store.engine, "admin")
        posts = [
            leadgate.post_form("contact", {"name": name, "phone": f"90 100 00 {n:02d}"})
            for n, name in enumerate(["Фёдор Жуков", "Fyodor Zhukov", "Fedor Zhukov",
                                      "Ivan Zhukov"] * 4)
        ]
        ids = [answer.body["customer_id"] for answer in await asyncio.gather(*posts)]
        fyodors = await _suggested(leadgate, ids[0])

    expected = {ids[n] for n in range(16) if n % 4 != 3} - {ids[0]}
    assert set(fyodors) == expected
