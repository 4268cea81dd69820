"""Site notifications in four languages and forwarded mail: the visitor is the customer."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from channels.email.labels import site_form_fields
from channels.email.parse import parse_mail
from channels.email.settings import MailboxSettings
from crm_store.cards import customer_by_identity
from leadgate.compose import Store
from leads.model import RawIdentity
from tests.channels.email.conftest import sample
from tests.conftest import make_settings
from tests.support.leadgate_http import opened_store


@pytest.mark.parametrize(("label", "field"), [
    ("Ваше имя", "name"), ("Ваш телефон", "phone"), ("Номер телефона", "phone"),
    ("Ваш e-mail", "email"), ("Эл. почта", "email"), ("Комментарий", "message"),
    ("Ismingiz", "name"), ("Telefon raqami", "phone"), ("Elektron pochta", "email"),
    ("Xabar", "message"), ("Vardas", "name"), ("Telefonas", "phone"), ("El. paštas", "email"),
    ("Žinutė", "message"), ("Your name", "name"), ("Phone number", "phone"),
    ("Email address", "email"), ("Your message", "message"), ("To‘liq ism", "name"),
])
def test_each_known_label_is_read_as_its_field(label: str, field: str) -> None:
    assert site_form_fields(f"{label}: value\n") == {field: "value"}


def test_a_required_fields_star_does_not_hide_the_label() -> None:
    assert site_form_fields("Telefonas *: +370 612 34567") == {"phone": "+370 612 34567"}


@pytest.mark.parametrize(("name", "region", "visitor", "phone", "text"), [
    ("site_notification_wordpress_lt", "LT", "jonas.petraitis@example.lt", "8 612 34567",
     "Norėčiau sužinoti kainą."),
    ("site_notification_ru_labels", "RU", "anna.smirnova@example.ru", "8 (916) 123-45-67",
     "Перезвоните после 18:00"),
    ("site_notification_uz_labels", "UZ", "dilshod.rahimov@example.uz", "8 90 123 45 67",
     "Narxini bilmoqchiman"),
    ("site_notification_en_labels", "UZ", "peter.brown@example.com", "+370 612 98765",
     "Please send the price list."),
])
def test_notification_mail_in_each_language_names_the_visitor_not_the_site(
    name: str, region: str, visitor: str, phone: str, text: str
) -> None:
    event = parse_mail(sample(name), "sales@example.uz", region)

    assert set(event.identities) == {RawIdentity("email", visitor), RawIdentity("phone", phone)}
    assert event.text == text
    assert event.details["site_notification"] is True


def test_a_mailboxs_own_labels_are_read_through_its_fields_map() -> None:
    box = MailboxSettings.from_toml({
        "host": "imap.example.lt", "user": "u", "password": "p",
        "fields": {"Pirkėjas": "name", "Kontaktinis numeris": "phone",
                   "Kontaktinis el. adresas": "email"},
    }, 1)
    raw = sample("site_notification_custom_labels")

    plain = parse_mail(raw, box.name, "LT")
    mapped = parse_mail(raw, box.name, "LT", labels=box.fields)

    assert RawIdentity("phone", "+370 655 12345") not in plain.identities
    assert set(mapped.identities) == {
        RawIdentity("email", "ruta.k@example.lt"), RawIdentity("phone", "+370 655 12345")
    }
    assert mapped.name == "Rūta Kazlauskienė"


def test_a_fields_map_naming_an_unknown_field_is_refused() -> None:
    with pytest.raises(ValueError, match="fields"):
        MailboxSettings.from_toml({"host": "h", "user": "u", "password": "p",
                                   "fields": {"Telefonas": "mobile"}}, 1)


@pytest.mark.parametrize(("name", "customer", "customer_name", "by"), [
    ("forwarded_by_colleague", "bekzod.aliyev@example.uz", "Bekzod Aliyev",
     "olga@leadgate-demo.uz"),
    ("forwarded_yandex_ru", "maria.kim@example.ru", "Мария Ким", "ivan@leadgate-demo.uz"),
])
def test_a_forwarded_mails_original_sender_is_the_customer(
    name: str, customer: str, customer_name: str, by: str
) -> None:
    event = parse_mail(sample(name), "sales@example.uz", "UZ")

    assert event.identities[0] == RawIdentity("email", customer)
    assert RawIdentity("email", by) not in event.identities
    assert event.name == customer_name
    assert event.details["forwarded_by"] == by


def test_a_forwarded_mail_keeps_the_phone_the_customer_wrote() -> None:
    event = parse_mail(sample("forwarded_by_colleague"), "sales@example.uz", "UZ")

    assert RawIdentity("phone", "+998935551234") in event.identities
    assert event.text is not None and event.text.startswith("Здравствуйте!")


@pytest.fixture
async def staffed_core(database_url: str) -> AsyncIterator[Store]:
    """The store with staff addresses and our own numbers configured."""
    settings = make_settings(
        database_url, staff_emails=["olga@leadgate-demo.uz"], own_numbers=["+998 71 200 00 00"],
        managers={"ivan": {"name": "Ivan", "email": "ivan@leadgate-demo.uz"}},
    )
    async with opened_store(settings) as running:
        yield running


async def test_staff_never_become_customers_a_forward_makes_the_customer(
    staffed_core: Store,
) -> None:
    own = await staffed_core.intake(parse_mail(sample("staff_mail_from_colleague"), "s", "UZ"))
    forwarded = await staffed_core.intake(parse_mail(sample("forwarded_by_colleague"), "s", "UZ"))

    assert own.ignored == "own_contact" and own.customer_id is None
    async with staffed_core.engine.connect() as conn:
        assert await customer_by_identity(conn, "email", "olga@leadgate-demo.uz") is None
        customer = await customer_by_identity(conn, "email", "bekzod.aliyev@example.uz")
    assert customer == forwarded.customer_id


async def test_a_managers_address_in_a_signature_is_not_the_customers(staffed_core: Store) -> None:
    raw = (b"From: Client <client@example.org>\r\nTo: ivan@leadgate-demo.uz\r\n"
           b"Message-ID: <c-1@example.org>\r\nSubject: Hi\r\n\r\nCall me: +998 71 200 00 00\r\n"
           b"or +998 90 765 43 21\r\n")
    result = await staffed_core.intake(parse_mail(raw, "s", "UZ"))

    async with staffed_core.engine.connect() as conn:
        assert await customer_by_identity(conn, "phone", "+998712000000") is None
        assert await customer_by_identity(conn, "phone", "+998907654321") == result.customer_id
