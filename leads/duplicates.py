"""Match keys that make two cards look like one person, and how strongly each reason counts.

A card gets its keys once, when it is created, renamed or given an identity: a suggestion is
then an indexed look-up of cards sharing a key. Three reasons:
- `same_name`: given name and surname equal after transliteration (either order, a Russian or
  Uzbek patronymic left out); a single word (a first name alone) gives no key;
- `same_phone_other_region`: the same national number under another country code (a number
  typed without its code on a form of another country);
- `same_email_sister_domain`: the same mailbox name at a sister domain (gmail.com and
  googlemail.com, mail.ru and bk.ru, example.uz and example.com).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

from leads.normalize import Identity
from leads.transliteration import skeleton

NAME, PHONE, EMAIL = "same_name", "same_phone_other_region", "same_email_sister_domain"
WEIGHTS = {NAME: 0.6, EMAIL: 0.7, PHONE: 0.8}
"""How much each reason alone says; several reasons together say more (see `score`)."""
MAX_SHARED = 20
"""A key more cards than this share (a very common name) is no evidence: it suggests nothing."""

_WORDS = re.compile(r"[^\W\d_]+(?:['`ʻʼ’‘-][^\W\d_]+)*")
_PATRONYMIC = re.compile(r"(ovic|evic|ovich|evich|ovna|evna|ichna)$")
_UZBEK_PATRONYMIC = {"ogli", "ugli", "kizi"}
_MAX_WORDS = 4
_SISTER_DOMAINS = {
    "gmail": ("gmail.com", "googlemail.com"),
    "yandex": ("yandex.ru", "ya.ru", "yandex.com", "yandex.by", "yandex.kz", "yandex.ua",
               "yandex.uz", "narod.ru"),
    "mailru": ("mail.ru", "inbox.ru", "list.ru", "bk.ru", "internet.ru", "mail.ua"),
    "microsoft": ("outlook.com", "hotmail.com", "live.com", "msn.com"),
    "apple": ("icloud.com", "me.com", "mac.com"),
    "yahoo": ("yahoo.com", "ymail.com", "rocketmail.com"),
    "proton": ("proton.me", "protonmail.com", "pm.me", "protonmail.ch"),
}
_FAMILY = {domain: family for family, domains in _SISTER_DOMAINS.items() for domain in domains}
# Mailboxes of a role, not a person: the same one at two companies says nothing.
_ROLE_MAILBOXES = {
    "info", "sales", "office", "admin", "contact", "contacts", "hello", "support", "mail",
    "noreply", "no-reply", "manager", "director", "hr", "marketing", "reception", "post",
    "order", "orders", "shop", "service", "team", "welcome", "test",
}
_SECOND_LEVEL = {"co", "com", "net", "org", "gov", "edu", "ac"}


@dataclass(frozen=True, slots=True)
class MatchKey:
    """One look-up key of a card: its reason and the folded value cards share."""

    reason: str
    key: str


def name_key(name: str | None) -> str | None:
    """The order-free skeleton of given name and surname, or None without both."""
    if not name:
        return None
    words = [w for w in _WORDS.findall(name) if len(w) > 1]
    folded = [skeleton(w) for w in words[: _MAX_WORDS + 2]]
    folded = _without_patronymic([w for w in folded if len(w) > 1])
    if not 2 <= len(folded) <= _MAX_WORDS:
        return None
    return " ".join(sorted(folded))[:200]


def _without_patronymic(words: list[str]) -> list[str]:
    for n, word in enumerate(words):
        if word in _UZBEK_PATRONYMIC and n >= 2:
            return words[: n - 1] + words[n + 1 :]  # "Akmal Karimov Rustam o'g'li"
    if len(words) >= 3:
        for n, word in enumerate(words[1:], start=1):
            if _PATRONYMIC.search(word):
                return words[:n] + words[n + 1 :]
    return words


def phone_key(e164: str) -> str | None:
    """The national significant number of an E.164 phone (the digits a person types locally)."""
    digits = e164[1:]
    # Country codes are prefix-free: the first 1-3 digits that name one are the code.
    for length in (1, 2, 3):
        if int(digits[:length] or 0) in COUNTRY_CODE_TO_REGION_CODE:
            national = digits[length:]
            return national if len(national) >= 7 and national.isdigit() else None
    return None


def email_key(address: str) -> str | None:
    """`mailbox@family` for a personal mailbox; None for role mailboxes (info@, sales@ ...)."""
    local, _, domain = address.rpartition("@")
    local = local.split("+", 1)[0]
    family = _FAMILY.get(domain) or _organisation(domain)
    if family == "gmail":
        local = local.replace(".", "")
    elif family == "yandex":
        local = local.replace("-", ".")
    if len(local) < 3 or local in _ROLE_MAILBOXES or not family:
        return None
    return f"{local}@{family}"[:200]


def _organisation(domain: str) -> str:
    labels = domain.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else ""


def match_keys(name: str | None, identities: Iterable[Identity]) -> list[MatchKey]:
    """Every key of a card with this name and these identities."""
    keys: list[MatchKey] = []
    folded_name = name_key(name)
    if folded_name:
        keys.append(MatchKey(NAME, folded_name))
    for identity in identities:
        if identity.kind == "phone":
            value = phone_key(identity.value)
            reason = PHONE
        elif identity.kind == "email":
            value = email_key(identity.value)
            reason = EMAIL
        else:
            continue
        if value:
            keys.append(MatchKey(reason, value))
    return list(dict.fromkeys(keys))


def score(reasons: Sequence[str]) -> float:
    """How likely two cards are one person, from the reasons they share (0..1)."""
    doubt = 1.0
    for reason in set(reasons):
        doubt *= 1.0 - WEIGHTS.get(reason, 0.0)
    return round(1.0 - doubt, 2)


def strongest(reasons: Sequence[str]) -> str:
    """The reason that says most."""
    return max(reasons, key=lambda reason: WEIGHTS.get(reason, 0.0))
