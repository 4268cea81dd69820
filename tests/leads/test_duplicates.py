"""Names, phones and e-mails that make two cards look like one person (pure keys)."""

from __future__ import annotations

import pytest

from leads.duplicates import (
    EMAIL,
    NAME,
    PHONE,
    email_key,
    match_keys,
    name_key,
    phone_key,
    score,
)
from leads.normalize import normalize_email, normalize_phone

SAME_PERSON = [
    ("Ольга Смирнова", "Olga Smirnova"),
    ("Ольга Смирнова", "Smirnova Olga"),
    ("Ольга Ивановна Смирнова", "Olga Smirnova"),
    ("Шахноза Каримова", "Shaxnoza Karimova"),
    ("Шахноза Каримова", "Shakhnoza Karimova"),
    ("Shaxnoza Karimova", "Shakhnoza Karimova"),
    ("Юлия Щукина", "Yuliya Shchukina"),
    ("Юлия Щукина", "Iuliia Schukina"),
    ("Фёдор Жуков", "Fyodor Zhukov"),
    ("Фёдор Жуков", "Fedor Zhukov"),
    ("Евгений Цой", "Yevgeniy Tsoi"),
    ("Евгений Цой", "Evgenii Tsoy"),
    ("Максим Кузнецов", "Maxim Kuznetsov"),
    ("Ёқуб Хўжаев", "Yoqub Xo'jayev"),
    ("Ғайрат Қодиров", "G‘ayrat Qodirov"),
    ("Ғайрат Қодиров", "Gʻayrat Qodirov"),
    ("Ўткир Ҳасанов", "O`tkir Hasanov"),
    ("Ўткир Ҳасанов", "Oʻtkir Hasanov"),
    ("Жасур Нуриддинов", "Jasur Nuriddinov"),
    ("Karimov Akmal Rustam o'g'li", "Akmal Karimov"),
    ("Šarūnas Žemaitis", "Sarunas Zemaitis"),
    ("Gintarė Jonaitė", "Gintare Jonaite"),
    ("Rūta Česnulevičiūtė", "Ruta Cesnuleviciute"),
    ("  olga   SMIRNOVA ", "Olga Smirnova"),
]

DIFFERENT_PEOPLE = [
    ("Olga Smirnova", "Olga Smirnov"),
    ("Olga Smirnova", "Olga Petrova"),
    ("Ivan Petrov", "Petr Ivanov"),
    ("Aleksandr Ivanov", "Aleksandra Ivanova"),
    ("Мария Иванова", "Марина Иванова"),
    ("Анна Сидорова", "Яна Сидорова"),
    ("Shaxnoza Karimova", "Shaxlo Karimova"),
    ("Jonas Kazlauskas", "Jonas Petrauskas"),
]


@pytest.mark.parametrize(("one", "other"), SAME_PERSON)
def test_spellings_of_one_name_share_a_key(one: str, other: str) -> None:
    assert name_key(one) is not None
    assert name_key(one) == name_key(other)


@pytest.mark.parametrize(("one", "other"), DIFFERENT_PEOPLE)
def test_similar_names_of_different_people_do_not(one: str, other: str) -> None:
    assert name_key(one) != name_key(other)


@pytest.mark.parametrize("name", ["Ольга", "Olga", "O. ", "", None, "A. B.", "12345 678"])
def test_a_first_name_alone_gives_no_key(name: str | None) -> None:
    assert name_key(name) is None


def test_a_surname_that_looks_like_a_patronymic_is_kept_when_it_is_one_of_two_words() -> None:
    assert name_key("Анна Лукашевич") == name_key("Anna Lukashevich")
    assert name_key("Анна Лукашевич") is not None


def test_the_same_national_number_in_two_countries_shares_a_key() -> None:
    uzbek = normalize_phone("50 123 45 67", "UZ")
    ukrainian = normalize_phone("50 123 45 67", "UA")
    assert uzbek and ukrainian and uzbek.value != ukrainian.value
    assert phone_key(uzbek.value) == phone_key(ukrainian.value) == "501234567"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ivan.petrov@gmail.com", "ivanpetrov@googlemail.com"),
        ("olga@mail.ru", "olga@bk.ru"),
        ("olga.s@yandex.ru", "olga-s@ya.ru"),
        ("aziz@example.uz", "aziz@example.com"),
        ("aziz+shop@example.co.uk", "aziz@example.uz"),
    ],
)
def test_one_mailbox_at_sister_domains_shares_a_key(one: str, other: str) -> None:
    assert email_key(one) is not None
    assert email_key(one) == email_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [("olga@gmail.com", "olga@mail.ru"), ("info@example.uz", "info@example.com"),
     ("sales@a.uz", "sales@a.com")],
)
def test_other_providers_and_role_mailboxes_do_not(one: str, other: str) -> None:
    assert email_key(one) is None or email_key(one) != email_key(other)


def test_a_card_has_one_key_per_reason_it_can_match_on() -> None:
    phone = normalize_phone("+998 90 123 45 67", None)
    email = normalize_email("Olga.Smirnova@gmail.com")
    assert phone and email
    keys = match_keys("Ольга Смирнова", [phone, email])
    assert [k.reason for k in keys] == [NAME, PHONE, EMAIL]


def test_several_reasons_score_higher_than_any_one() -> None:
    assert score([NAME]) < score([PHONE]) < score([NAME, PHONE]) < 1.0
    assert score([NAME, NAME]) == score([NAME])
