"""`Label: value` lines of website notification mails: Russian, Uzbek, Lithuanian, English."""

from __future__ import annotations

import re
from collections.abc import Mapping

FIELDS = ("name", "phone", "email", "message", "utm_source", "utm_medium", "utm_campaign",
          "utm_content", "utm_term", "page_url", "form")
_LINE = re.compile(r"^\s*([^\W\d_][\w .,'’‘ʻʼ`()/\-]{0,47}?)\s*\*?\s*:\s*(.+?)\s*$")
_LABELS = {
    "name": (
        "name", "your name", "full name", "contact name", "имя", "ваше имя", "фио", "ф.и.о.",
        "имя и фамилия", "как к вам обращаться", "ism", "ismingiz", "ismi", "ism familiya",
        "to'liq ism", "исм", "vardas", "jūsų vardas", "vardas, pavardė", "vardas pavardė",
        "vardas ir pavardė",
    ),
    "phone": (
        "phone", "phone number", "your phone", "your phone number", "telephone", "tel", "tel.",
        "mobile", "mobile phone", "телефон", "ваш телефон", "номер телефона", "контактный телефон",
        "мобильный телефон", "тел.", "telefon", "telefon raqami", "telefon raqamingiz",
        "телефон рақами", "telefonas", "jūsų telefonas", "telefono numeris", "tel. nr.",
        "mob. tel.", "mobilusis telefonas",
    ),
    "email": (
        "email", "e-mail", "your email", "your e-mail", "email address", "e-mail address",
        "почта", "эл. почта", "электронная почта", "ваш e-mail", "ваш email", "ваша почта",
        "el. pochta", "elektron pochta", "pochta", "el. paštas", "elektroninis paštas",
        "jūsų el. paštas", "el. pašto adresas",
    ),
    "message": (
        "message", "your message", "comment", "comments", "question", "комментарий",
        "сообщение", "ваше сообщение", "вопрос", "ваш вопрос", "xabar", "izoh", "savol",
        "xabaringiz", "žinutė", "jūsų žinutė", "komentaras", "pranešimas", "klausimas",
    ),
    "page_url": ("page", "page url", "страница", "sahifa", "puslapis"),
    "form": ("form", "форма", "forma"),
}
KNOWN_LABELS: dict[str, str] = {
    label: field for field, labels in _LABELS.items() for label in labels
} | {f: f for f in FIELDS if f.startswith("utm_")}


def label_key(label: str) -> str:
    """A label as looked up: lower case, one space, Uzbek apostrophes as "'", no stray marks."""
    text = label.lower()
    for mark in "’‘ʻʼ`":
        text = text.replace(mark, "'")
    return " ".join(text.split()).strip(" *")


def site_form_fields(text: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """`Key: value` lines a website's form notification carries, under our field names.

    `extra` maps a mailbox's own labels (any case) to field names, before the known ones.
    """
    labels = KNOWN_LABELS | {label_key(k): v for k, v in extra.items()} if extra else KNOWN_LABELS
    fields: dict[str, str] = {}
    if ":" not in text:
        return fields  # every `Label: value` line has one; most mails are not notifications
    for line in text.splitlines()[:200]:
        found = _LINE.match(line)
        if found:
            key = labels.get(label_key(found.group(1)))
            if key and key not in fields:
                fields[key] = found.group(2)[:2000]
    return fields
