"""Phones and e-mail addresses a customer typed into a chat message."""

from __future__ import annotations

import re

import phonenumbers

from leads.model import RawIdentity

_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
_TRUNK_FORM = re.compile(r"(?<![\d+])8[\s(.-]*\d{2}[\s).-]*\d{3}[\s.-]*\d{2}[\s.-]*\d{2}(?!\d)")


def contacts_in(text: str | None, region: str | None) -> list[RawIdentity]:
    """The phones (as written, for intake to read) and e-mails in a message's text."""
    if not text:
        return []
    text = text[:4000]
    found = [RawIdentity("phone", m.raw_string)
             for m in phonenumbers.PhoneNumberMatcher(text, region or "ZZ")]
    if region == "UZ":
        # `8 90 123 45 67`: the matcher no longer knows Uzbekistan's old trunk prefix.
        found += [RawIdentity("phone", m.group(0)) for m in _TRUNK_FORM.finditer(text)]
    found += [RawIdentity("email", m.group(0)) for m in _EMAIL.finditer(text)]
    return list(dict.fromkeys(found))[:10]
