"""The ban list's pure side: what a ban names, written one way, and what an event is banned by.

A ban is `(kind, value)`: `phone` (E.164), `email` (one address), `domain` (every address at
it), `telegram` (a user id, or `@username`), `whatsapp` and `instagram` (the sender's id on
those channels; a WhatsApp id is a phone number) and `ip` (the address a web form was posted
from). An event is banned when one of its keys is on the list.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence

from leads.normalize import normalize_email, normalize_phone, normalize_telegram
from leads.ports import PreparedEvent

BAN_KINDS = ("phone", "email", "domain", "telegram", "whatsapp", "instagram", "ip")
BanKey = tuple[str, str]


def normalize_ban(kind: str, value: str, region: str | None = None) -> BanKey:
    """The ban as stored; ValueError says why `value` is no `kind`."""
    text = value.strip()
    if len(text) > 320 or not text.isprintable():
        raise ValueError("a banned value is at most 320 printable characters")
    if kind in ("phone", "whatsapp"):
        phone = normalize_phone(text, region)
        if phone is None:
            raise ValueError(f"{value!r} is not a valid phone number")
        return kind, phone.value
    if kind == "email":
        email = normalize_email(text)
        if email is None:
            raise ValueError(f"{value!r} is not a valid e-mail address")
        return kind, email.value
    if kind == "domain":
        return kind, _domain(text)
    if kind == "telegram":
        found = normalize_telegram(text, "telegram" if text.isdigit() else "telegram_username")
        if found is None:
            raise ValueError(f"{value!r} is neither a Telegram user id nor a @username")
        return kind, found.value if found.kind == "telegram" else "@" + found.value
    if kind == "instagram":
        if not text:
            raise ValueError("an Instagram ban needs the sender's id")
        return kind, text.lstrip("@").lower()
    if kind == "ip":
        try:
            return kind, str(ipaddress.ip_address(text))
        except ValueError as err:
            raise ValueError(f"{value!r} is not an IP address") from err
    raise ValueError(f"a ban is one of {', '.join(BAN_KINDS)}, not {kind!r}")


def _domain(text: str) -> str:
    name = text.lstrip("@").rstrip(".").lower()
    try:
        ascii_name = name.encode("idna").decode("ascii")
    except UnicodeError as err:
        raise ValueError(f"{text!r} is not a domain") from err
    if "." not in ascii_name or "@" in ascii_name or " " in ascii_name:
        raise ValueError(f"{text!r} is not a domain")
    return ascii_name


def ban_keys(prepared: PreparedEvent) -> list[BanKey]:
    """Every ban that would stop this event."""
    return list(dict.fromkeys(_keys(prepared)))


def _keys(prepared: PreparedEvent) -> Iterator[BanKey]:
    channel = prepared.event.channel
    for identity in prepared.identities:
        if identity.kind == "phone":
            yield "phone", identity.value
            if channel == "whatsapp":
                yield "whatsapp", identity.value
        elif identity.kind == "email":
            yield "email", identity.value
            yield "domain", identity.value.rpartition("@")[2]
        elif identity.kind == "telegram":
            yield "telegram", identity.value
        elif identity.kind == "telegram_username":
            yield "telegram", "@" + identity.value
        else:
            yield identity.kind, identity.value
    address = prepared.event.details.get("client_ip")
    if isinstance(address, str) and address:
        yield "ip", address


def bans_for_card(identities: Sequence[tuple[str, str]]) -> list[BanKey]:
    """The bans that stop every contact of a card with these identities (never a domain)."""
    found = []
    for kind, value in identities:
        if kind == "telegram_username":
            found.append(("telegram", "@" + value))
        elif kind in BAN_KINDS:
            found.append((kind, value))
    return list(dict.fromkeys(found))
