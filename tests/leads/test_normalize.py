"""Phones become E.164 whatever way people write them; e-mails and names are tidied."""

from __future__ import annotations

import phonenumbers
import pytest

from leads.normalize import (
    e164_phone,
    normalize_email,
    normalize_name,
    normalize_phone,
    normalize_telegram,
)


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("8 (912) 345-67-89", "RU", "+79123456789"),
        ("90 123 45 67", "UZ", "+998901234567"),
        ("+370 612 34567", None, "+37061234567"),
        ("8 612 34567", "LT", "+37061234567"),
        ("00998901234567", "RU", "+998901234567"),
        ("tel:+79123456789", "UZ", "+79123456789"),
        ("+7 912 345-67-89 доб. 123", "RU", "+79123456789"),
        ("+998 71 200-30-40 ext. 12", None, "+998712003040"),
        ("phone: +7(912)3456789!!", "RU", "+79123456789"),
        ("+998 (90) 123-45-67", "UZ", "+998901234567"),
    ],
)
def test_written_phone_becomes_e164(raw: str, region: str | None, e164: str) -> None:
    identity = normalize_phone(raw, region)

    assert identity is not None and identity.value == e164
    assert e164_phone(raw, region) == e164


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("8 90 123 45 67", "UZ", "+998901234567"),
        ("8 (90) 123-45-67", "UZ", "+998901234567"),
        ("8-71-200-30-40", "UZ", "+998712003040"),
        ("8 612 34567", "LT", "+37061234567"),
        ("8 (612) 345 67", "LT", "+37061234567"),
        ("8 916 123-45-67", "RU", "+79161234567"),
        ("8 (999) 123 45 67", "RU", "+79991234567"),
    ],
)
def test_national_trunk_form_is_read_with_the_channels_region(
    raw: str, region: str, e164: str
) -> None:
    identity = normalize_phone(raw, region)

    assert identity is not None and identity.value == e164
    assert e164_phone(raw, region.lower()) == e164


def test_uzbek_trunk_form_is_not_guessed_in_another_region() -> None:
    assert normalize_phone("8 90 123 45 67", "RU") is None
    assert e164_phone("8 90 123 45 67", "RU") is None


@pytest.mark.parametrize("raw", ["12345", "", "not a phone", "+7 000", "8 (912) 345"])
def test_invalid_phone_is_no_identity(raw: str) -> None:
    assert normalize_phone(raw, "RU") is None
    assert e164_phone(raw, "RU") is None


def test_phone_keeps_what_phonenumbers_knows_about_it() -> None:
    identity = normalize_phone("90 123 45 67", "UZ")

    assert identity is not None
    assert identity.info["type"] == "mobile"
    assert identity.info["region"] == "UZ"
    assert identity.info["carrier"] == "Beeline"
    assert identity.info["time_zones"] == ["Asia/Tashkent"]


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (" Ivan.Petrov@Example.RU ", "ivan.petrov@example.ru"),
        ("mailto:olga@mail.example", "olga@mail.example"),
        ("Olga <OLGA@Mail.Example>", "olga@mail.example"),
        ("info@пример.рф", "info@xn--e1afmkfd.xn--p1ai"),
    ],
)
def test_email_is_trimmed_lower_cased_with_idna_domain(raw: str, value: str) -> None:
    identity = normalize_email(raw)

    assert identity is not None and identity.value == value


@pytest.mark.parametrize("raw", ["bad@", "@x.ru", "a b@c.ru", "a@b", "a@@b.ru", "a..b@c.ru", ""])
def test_invalid_email_is_no_identity(raw: str) -> None:
    assert normalize_email(raw) is None


def test_name_is_trimmed_and_collapsed() -> None:
    assert normalize_name("  Иван \n  Петров ") == "Иван Петров"
    assert normalize_name("   ") is None


def test_telegram_ids_are_digits_and_usernames_lose_the_at_sign() -> None:
    assert normalize_telegram("5123456789", "telegram").value == "5123456789"  # type: ignore[union-attr]
    assert normalize_telegram("@Ivan_P", "telegram_username").value == "ivan_p"  # type: ignore[union-attr]
    assert normalize_telegram("abc", "telegram") is None


def test_phone_info_says_what_phonenumbers_checked_look_ups_say_for_every_regions_numbers() -> None:
    from phonenumbers import carrier, geocoder, timezone

    checked = 0
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in phonenumbers.PhoneNumberType.values():
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            # Neighbours of the example too: numbers valid in another region of a shared
            # country code, or in several, where the place must be said (or left out) anew.
            for text in sorted({e164, e164[:-1], e164 + "5", e164[:-2] + "00", e164[:-3] + "999"}):
                number = phonenumbers.parse(text, None)
                if not phonenumbers.is_valid_number(number):
                    continue
                identity = normalize_phone(text, None)
                assert identity is not None, text
                assert identity.info == {
                    "type": next(name.lower() for name, value
                                 in vars(phonenumbers.PhoneNumberType).items()
                                 if value == phonenumbers.number_type(number)),
                    "region": phonenumbers.region_code_for_number(number),
                    "carrier": carrier.name_for_number(number, "en") or None,
                    "location": geocoder.description_for_number(number, "en") or None,
                    "time_zones": [z for z in timezone.time_zones_for_number(number)
                                   if z != "Etc/Unknown"],
                }, text
                checked += 1
    assert checked > 1500


def test_a_phone_is_valid_exactly_when_phonenumbers_says_it_is() -> None:
    checked = valid = 0
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in phonenumbers.PhoneNumberType.values():
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            # The example, one digit shorter and longer, and its last digits changed.
            for text in {e164, e164[:-1], e164 + "5", e164[:-2] + "00", e164[:-3] + "999"}:
                expected = phonenumbers.is_valid_number(phonenumbers.parse(text, None))
                assert (normalize_phone(text, None) is not None) == expected, text
                checked, valid = checked + 1, valid + expected
    assert checked > 5000 and 1000 < valid < checked
