"""Each captured sample mail has the outcome its scenario expects, on the real store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from channels.email.delivery import MailDelivery
from channels.email.parse import parse_mail
from channels.email.settings import LoopGuardSettings
from crm_store.cards import customer_by_identity, customer_card
from crm_store.engine import create_engine
from crm_store.shared_marks import SqlRecentMarks
from crm_store.tables import ignored_events
from leadgate.compose import Store
from leads.errors import StoreUnavailable
from leads.model import IntakeResult
from tests.channels.email.conftest import sample
from tests.store_counts import row_counts


async def store(core: Store, name: str) -> Any:
    return await core.intake(parse_mail(sample(name), "sales@example.uz", "RU"))


async def card_of(core: Store, kind: str, value: str) -> dict[str, Any]:
    async with core.engine.connect() as conn:
        customer = await customer_by_identity(conn, kind, value)
        assert customer is not None, f"no card holds {kind} {value}"
        card = await customer_card(conn, customer)
    assert card is not None
    return card


def identities(card: dict[str, Any]) -> set[tuple[str, str]]:
    return {(i["kind"], i["value"]) for i in card["identities"]}


@pytest.mark.parametrize(("name", "email", "phone"), [
    ("inquiry_plain_utf8_ru", "ivan.petrov@example.ru", "+79123456789"),
    ("inquiry_html_only_cp1251", "olga.sidorova@mail.example", "+79031234567"),
    ("inquiry_koi8r", "s.kuznetsov@example.net", "+998915554433"),
    ("inquiry_with_attachment_uz", "aziz@yusupov-trade.uz", "+998712003040"),
    ("broken_unknown_charset", "client@example.org", "+79123456789"),
])
async def test_an_inquiry_is_a_lead_with_the_senders_email_and_phone(
    core: Store, name: str, email: str, phone: str
) -> None:
    result = await store(core, name)
    card = await card_of(core, "email", email)

    assert result.lead_id is not None
    assert {("email", email), ("phone", phone)} <= identities(card)


async def test_a_russian_inquiry_keeps_the_name_and_the_whole_text(core: Store) -> None:
    await store(core, "inquiry_plain_utf8_ru")
    card = await card_of(core, "email", "ivan.petrov@example.ru")
    [touch] = card["timeline"]

    assert card["name"] == "Иван Петров"
    assert touch["subject"] == "Запрос цены на памятник из гранита"
    assert "тел. 8 (912) 345-67-89" in touch["text"]  # the full text, signature included
    assert "С уважением" not in touch["details"]["summary"]


async def test_an_html_only_mail_is_readable_text_with_entities_decoded(core: Store) -> None:
    await store(core, "inquiry_html_only_cp1251")
    [touch] = (await card_of(core, "email", "olga.sidorova@mail.example"))["timeline"]

    assert "Нужно 500 визиток, двусторонние, к 15 ноября." in touch["text"]
    assert "ООО «Ромашка»" in touch["text"]
    assert "<" not in touch["text"]


async def test_an_unknown_charset_is_read_as_cyrillic_without_a_crash(core: Store) -> None:
    await store(core, "broken_unknown_charset")
    [touch] = (await card_of(core, "email", "client@example.org"))["timeline"]

    assert touch["subject"] == "Срочно!"
    assert "Срочно перезвоните" in touch["text"]


async def test_a_site_notification_is_a_lead_for_the_visitor_not_for_tilda(core: Store) -> None:
    await store(core, "site_notification_tilda")
    card = await card_of(core, "email", "dilnoza.karimova@example.uz")
    [lead] = card["leads"]

    assert identities(card) >= {("email", "dilnoza.karimova@example.uz"),
                                ("phone", "+998901234567")}
    assert not any("tilda" in value for _, value in identities(card))
    assert lead["attribution"]["utm_source"] == "instagram"
    assert lead["attribution"]["utm_campaign"] == "november_sale"
    assert card["name"] == "Dilnoza Karimova"


async def test_the_attachment_is_listed_with_name_type_and_size(core: Store) -> None:
    await store(core, "inquiry_with_attachment_uz")
    [touch] = (await card_of(core, "email", "aziz@yusupov-trade.uz"))["timeline"]

    [attachment] = touch["details"]["attachments"]
    assert attachment["name"] == "talablar.pdf"
    assert attachment["type"] == "application/pdf"
    assert attachment["size"] > 0


@pytest.mark.parametrize(("name", "reason"), [
    ("auto_reply_out_of_office", "auto_reply"),
    ("bounce_delivery_status", "bounce"),
    ("mailing_list_newsletter", "mailing_list"),
])
async def test_mail_that_is_no_lead_is_recorded_as_ignored_with_the_reason(
    core: Store, name: str, reason: str
) -> None:
    result = await store(core, name)
    async with core.engine.connect() as conn:
        recorded = (await conn.execute(select(ignored_events.c.reason))).scalars().all()

    assert result.ignored == reason and result.lead_id is None
    assert recorded == [reason]
    assert (await row_counts(core.engine))["leads"] == 0


async def test_a_reply_in_the_thread_joins_the_first_lead_and_adds_the_new_address(
    core: Store,
) -> None:
    first = await store(core, "inquiry_plain_utf8_ru")
    reply = await store(core, "reply_in_thread")
    card = await card_of(core, "email", "ivan.p@work.example")

    assert reply.lead_id == first.lead_id
    assert reply.customer_id == first.customer_id
    assert ("email", "ivan.petrov@example.ru") in identities(card)
    assert len(card["timeline"]) == 2


async def test_a_mail_whose_only_address_is_unusable_is_kept_as_ignored(core: Store) -> None:
    deliver = MailDelivery(core.intake)
    raw = b"From: someone@localhost\r\nMessage-ID: <odd-1@x>\r\nSubject: hi\r\n\r\nhello\r\n"

    result = await deliver(parse_mail(raw, "sales@example.uz", "RU"))

    assert result.ignored is not None and result.lead_id is None


async def test_an_unusable_mail_in_a_batch_is_kept_as_ignored_beside_the_others(
    core: Store,
) -> None:
    odd = b"From: someone@localhost\r\nMessage-ID: <odd-2@x>\r\nSubject: hi\r\n\r\nhello\r\n"
    events = [parse_mail(raw, "sales@example.uz", "RU")
              for raw in (sample("inquiry_plain_utf8_ru"), odd, sample("inquiry_koi8r"))]

    results = await MailDelivery(core.intake).all(events)

    assert [isinstance(r, IntakeResult) and r.lead_id is not None for r in results] == [
        True, False, True]
    assert isinstance(results[1], IntakeResult) and results[1].ignored == (
        "unusable: no_usable_contact")


async def test_a_runaway_sender_is_cut_off_by_the_loop_guard_within_a_batch(
    core: Store,
) -> None:
    deliver = MailDelivery(core.intake, LoopGuardSettings(max_mails=3, minutes=10))
    events = [parse_mail(b"From: robot@example.org\r\nMessage-ID: <batch-loop-%d@x>\r\n"
                         b"Subject: Re: Re: Re\r\n\r\nThanks for your mail\r\n" % n,
                         "sales@example.uz", "RU") for n in range(5)]

    results = await deliver.all(events)

    assert [getattr(r, "ignored", r) for r in results] == [
        None, None, None, "mail_loop", "mail_loop"]


async def test_when_the_loop_guard_fails_no_mail_of_the_batch_is_stored(core: Store) -> None:
    class Unavailable:
        async def count(self, key: str, item: str, at: datetime, window: timedelta) -> int:
            raise StoreUnavailable("marks unavailable")

        async def count_all(self, marks: Sequence[tuple[str, str]], at: datetime,
                            window: timedelta) -> list[int]:
            raise StoreUnavailable("marks unavailable")

    events = [parse_mail(sample(name), "sales@example.uz", "RU") for name in (
        "inquiry_plain_utf8_ru", "inquiry_koi8r")]

    results = await MailDelivery(core.intake, marks=Unavailable()).all(events)

    assert all(isinstance(r, StoreUnavailable) for r in results)
    assert (await row_counts(core.engine))["touches"] == 0


async def test_a_runaway_sender_is_cut_off_by_the_loop_guard(core: Store) -> None:
    deliver = MailDelivery(core.intake, LoopGuardSettings(max_mails=3, minutes=10))
    results = []
    for n in range(5):
        raw = (b"From: robot@example.org\r\nMessage-ID: <loop-%d@x>\r\nSubject: Re: Re: Re\r\n"
               b"\r\nThanks for your mail\r\n" % n)
        results.append(await deliver(parse_mail(raw, "sales@example.uz", "RU")))

    assert [r.ignored for r in results] == [None, None, None, "mail_loop", "mail_loop"]


async def test_the_loop_guard_counts_a_sender_over_every_process(
    core: Store, database_url: str
) -> None:
    other = create_engine(database_url)  # a second process's store
    try:
        deliveries = [MailDelivery(core.intake, LoopGuardSettings(max_mails=3, minutes=10),
                                   SqlRecentMarks(engine, "mail-loop"))
                      for engine in (core.engine, other)]
        results = []
        for n in range(5):
            raw = (b"From: Robot@example.org\r\nMessage-ID: <loop-%d@x>\r\nSubject: Re: Re\r\n"
                   b"\r\nThanks for your mail\r\n" % n)
            results.append(await deliveries[n % 2](parse_mail(raw, "sales@example.uz", "RU")))
        again = await deliveries[1](parse_mail(
            b"From: robot@example.org\r\nMessage-ID: <loop-0@x>\r\nSubject: Re\r\n\r\nhi\r\n",
            "sales@example.uz", "RU"))
    finally:
        await other.dispose()

    assert [r.ignored for r in results] == [None, None, None, "mail_loop", "mail_loop"]
    assert again.deduplicated  # a mail read again is the same touch, not one more in the count


async def test_the_shared_loop_guard_counts_a_batch_as_it_counts_mail_one_by_one(
    core: Store,
) -> None:
    deliver = MailDelivery(core.intake, LoopGuardSettings(max_mails=3, minutes=10),
                           SqlRecentMarks(core.engine, "mail-loop"))
    events = [parse_mail(b"From: Robot@example.org\r\nMessage-ID: <shared-%d@x>\r\n"
                         b"Subject: Re\r\n\r\nThanks for your mail\r\n" % n,
                         "sales@example.uz", "RU") for n in (0, 1, 2, 3, 0)]

    results = await deliver.all(events[:2]) + await deliver.all(events[2:])

    assert [getattr(r, "ignored", r) for r in results] == [
        None, None, None, "mail_loop", None]
    assert isinstance(results[4], IntakeResult) and results[4].deduplicated
