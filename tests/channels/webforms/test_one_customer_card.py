"""The same person through several forms lands on one customer card."""

from __future__ import annotations

from tests.store_counts import row_counts
from tests.support.leadgate_http import LeadgateClient


async def _admin(leadgate: LeadgateClient) -> None:
    from crm_store.tokens import create_token

    leadgate.token = await create_token(leadgate.store.engine, "admin")


async def test_three_forms_three_spellings_make_one_customer_with_one_lead(
    leadgate: LeadgateClient,
) -> None:
    posts = [
        (
            "price",
            {
                "name": "Иван Петров",
                "phone": "8 (912) 345-67-89",
                "email": "Ivan.Petrov@Example.RU",
            },
        ),
        ("contact", {"phone": "+7 912 345 67 89", "email": "ivan.petrov@example.ru "}),
        ("callback", {"Phone": "tel:+79123456789", "Email": "IVAN.PETROV@EXAMPLE.RU"}),
    ]
    answers = [await leadgate.post_form(form, body) for form, body in posts]

    assert [a.status for a in answers] == [201, 201, 201]
    assert len({a.body["customer_id"] for a in answers}) == 1
    assert len({a.body["lead_id"] for a in answers}) == 1
    await _admin(leadgate)
    card = (await leadgate.get(f"/api/customers/{answers[0].body['customer_id']}")).body
    assert sorted((i["kind"], i["value"]) for i in card["identities"]) == [
        ("email", "ivan.petrov@example.ru"),
        ("phone", "+79123456789"),
    ]
    assert len(card["leads"]) == 1
    assert len(card["timeline"]) == 3
    assert {t["lead_id"] for t in card["timeline"]} == {card["leads"][0]["id"]}


async def test_form_with_phone_and_email_merges_two_cards_and_records_why(
    leadgate: LeadgateClient,
) -> None:
    a = await leadgate.post_form("price", {"name": "Olga", "phone": "+79031234567", "message": "A"})
    b = await leadgate.post_form("price", {"email": "olga@example.ru", "message": "B"})
    both = await leadgate.post_form(
        "price", {"phone": "8 903 123-45-67", "email": "Olga@example.ru"}
    )

    assert a.body["customer_id"] != b.body["customer_id"]
    survivor = a.body["customer_id"]
    assert both.body["customer_id"] == survivor
    await _admin(leadgate)
    card = (await leadgate.get(f"/api/customers/{survivor}")).body
    assert {i["value"] for i in card["identities"]} == {"+79031234567", "olga@example.ru"}
    assert [t["text"] for t in card["timeline"]] == ["A", "B", None]
    assert {lead["id"] for lead in card["leads"]} >= {a.body["lead_id"], b.body["lead_id"]}
    [merge] = card["merges"]
    assert merge["from_customer_id"] == b.body["customer_id"]
    assert merge["into_customer_id"] == survivor
    assert (merge["identity_kind"], merge["identity_value"]) == ("email", "olga@example.ru")
    merged = (await leadgate.get(f"/api/customers/{b.body['customer_id']}")).body
    assert merged["id"] == survivor and merged["requested_id"] == b.body["customer_id"]


async def test_same_submission_posted_twice_is_one_touch(leadgate: LeadgateClient) -> None:
    body = {"phone": "+998901234567"}
    key = {"Idempotency-Key": "order-77"}
    first = await leadgate.post_form("contact", body, headers=key)
    again = await leadgate.post_form("contact", body, headers=key)

    assert (first.status, again.status) == (201, 201)
    assert again.body == first.body | {"deduplicated": True}
    assert (await row_counts(leadgate.store.engine))["touches"] == 1


async def test_tilda_redelivery_is_deduplicated_by_tranid(leadgate: LeadgateClient) -> None:
    form = "Phone=%2B998901234567&tranid=123%3A456&formid=form1"
    ct = "application/x-www-form-urlencoded"
    first = await leadgate.post_form("contact", form, ct)
    again = await leadgate.post_form("contact", form, ct)

    assert again.body["touch_id"] == first.body["touch_id"] and again.body["deduplicated"]


async def test_a_new_touch_after_the_repeat_window_opens_a_new_lead(database_url: str) -> None:
    from tests.support.leadgate_http import running_leadgate

    async with running_leadgate(database_url, repeat_window_days=1) as leadgate:
        first = await leadgate.post_form("contact", {"phone": "+998901234567"})
        from sqlalchemy import update

        from crm_store.tables import leads

        async with leadgate.store.engine.begin() as conn:
            old = leadgate.store.policy.repeat_window * 2
            from leads.model import utcnow

            await conn.execute(update(leads).values(last_touch_at=utcnow() - old))
        second = await leadgate.post_form("contact", {"phone": "+998901234567"})

    assert second.body["customer_id"] == first.body["customer_id"]
    assert second.body["lead_id"] != first.body["lead_id"]


async def test_invalid_phone_is_kept_as_text_but_never_an_identity(
    leadgate: LeadgateClient,
) -> None:
    answer = await leadgate.post_form("contact", {"phone": "12-34", "email": "real@example.uz"})

    assert answer.status == 201
    await _admin(leadgate)
    card = (await leadgate.get(f"/api/customers/{answer.body['customer_id']}")).body
    assert [(i["kind"], i["value"]) for i in card["identities"]] == [("email", "real@example.uz")]
    assert {"kind": "phone", "raw": "12-34", "valid": False} in card["timeline"][0]["identities"]


async def test_phone_only_form_in_the_uzbek_trunk_form_is_a_lead(
    leadgate: LeadgateClient,
) -> None:
    first = await leadgate.post_form("contact", {"phone": "8 90 123 45 67"})
    again = await leadgate.post_form("contact", {"phone": "+998 90 123-45-67"})

    assert (first.status, again.status) == (201, 201)
    assert first.body["customer_id"] == again.body["customer_id"]


async def test_our_own_number_posted_on_a_form_makes_no_customer(database_url: str) -> None:
    from tests.support.leadgate_http import running_leadgate

    async with running_leadgate(database_url, own_numbers=["+998 71 200 00 00"]) as leadgate:
        answer = await leadgate.post_form("contact", {"phone": "8 71 200 00 00"})

        assert answer.status in (200, 201)
        assert answer.body["customer_id"] is None
        assert (await row_counts(leadgate.store.engine))["customers"] == 0
