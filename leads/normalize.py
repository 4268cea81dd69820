"""Pure normalization of what people type: phones to E.164, e-mails, names."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

import phonenumbers

_EXTENSION = re.compile(
    r"(?i)\s*(?:[,;]|ext\.?|extension|x|#|доб\.?|добавочный|вн\.?|ichki)\s*\d{1,6}\s*$"
)
_PHONE_CHARS = re.compile(r"[^\d+]")
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[^\s@]+\.[^\s@]+$")
_MAX_PHONE_INPUT = 64
# Regions whose people still dial a national number behind the old trunk prefix 8.
_TRUNK_EIGHT = frozenset({"UZ", "RU", "LT", "KZ", "BY", "TJ", "TM", "KG"})
_MAX_EMAIL = 254
_TYPE_NAMES = {value: name.lower() for name, value in vars(phonenumbers.PhoneNumberType).items()
               if not name.startswith("_") and isinstance(value, int)}
# The types phonenumbers' carrier look-up answers for (its `name_for_number`).
_CARRIER_TYPES = frozenset({phonenumbers.PhoneNumberType.MOBILE,
                            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
                            phonenumbers.PhoneNumberType.PAGER})
# What `_phone_info` found once and holds for every number alike: a region's name, and the
# time zones of a country calling code's numbers that are not geographical. Two threads that
# fill the same entry at once (a mailbox's and the loop) only work out the same value twice.
_REGION_NAMES: dict[str | None, str] = {}
_COUNTRY_ZONES: dict[int, tuple[str, ...]] = {}


@dataclass(frozen=True, slots=True)
class Identity:
    """A normalized identity: unique across the store as `(kind, value)`."""

    kind: str
    value: str
    info: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def normalize_phone(raw: str, region: str | None) -> Identity | None:
    """Return the E.164 phone identity for `raw`, or None if it is no valid number."""
    return _normalize_phone_cached(raw, (region or "").upper() or None)


def e164_phone(raw: str, region: str | None) -> str | None:
    """The value `normalize_phone` gives `raw`, without looking up what is known of the number."""
    return _e164_cached(raw, (region or "").upper() or None)


@lru_cache(maxsize=65536)
def _normalize_phone_cached(raw: str, region: str | None) -> Identity | None:
    found = _valid_number(raw, region)
    if found is None:
        return None
    number, number_type = found
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Identity("phone", e164, _phone_info(number, number_type))


@lru_cache(maxsize=65536)
def _e164_cached(raw: str, region: str | None) -> str | None:
    found = _valid_number(raw, region)
    if found is None:
        return None
    return phonenumbers.format_number(found[0], phonenumbers.PhoneNumberFormat.E164)


def _valid_number(raw: str, region: str | None) -> tuple[phonenumbers.PhoneNumber, int] | None:
    """The number `raw` reads as, and its type, if it is a valid one."""
    text = _clean_phone_text(raw)
    if not text:
        return None
    found = _parse_valid(text, region)
    if found is None:
        found = _parse_valid(_without_trunk_prefix(text, region), region)
    return found


def _parse_valid(text: str, region: str | None) -> tuple[phonenumbers.PhoneNumber, int] | None:
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    # `is_valid_number` is "a type other than UNKNOWN in the number's own region": the type
    # is worked out once here and kept for `_phone_info`, where it cost as much again.
    number_type = phonenumbers.number_type(number)
    if number_type == phonenumbers.PhoneNumberType.UNKNOWN:
        return None
    return number, number_type


def _without_trunk_prefix(text: str, region: str | None) -> str:
    """`8 90 123 45 67` in Uzbekistan: the old trunk prefix 8, which phonenumbers' metadata
    no longer knows there (Russia's and Lithuania's 8 it reads itself); "" when not that form."""
    if region in _TRUNK_EIGHT and not text.startswith("+") and text.startswith("8"):
        return text[1:]
    return ""


def _clean_phone_text(raw: str) -> str:
    text = unquote(raw.strip()[:_MAX_PHONE_INPUT])
    if text.lower().startswith("tel:"):
        text = text[4:].split(";", 1)[0]
    text = _EXTENSION.sub("", text)
    plus = text.lstrip().startswith("+") or "+" in text[:3]
    digits = _PHONE_CHARS.sub("", text).replace("+", "")
    if not digits:
        return ""
    if not plus and digits.startswith("00"):
        return "+" + digits[2:]
    return ("+" if plus else "") + digits


def _phone_info(number: phonenumbers.PhoneNumber, number_type: int) -> dict[str, Any]:
    """Type, region, carrier, place and time zones of a valid number of type `number_type`.

    The number's type is worked out once: phonenumbers' checked look-ups (`name_for_number`,
    `description_for_number`, `time_zones_for_number`) each work it out again, a third of the
    time spent per new number. Time zones of a number of no known type are "Etc/Unknown" alone,
    which is left out anyway.
    """
    # Carrier, place and time-zone tables are ~100 MiB: loaded with the first phone, not at start.
    from phonenumbers import carrier, geocoder, timezone

    region = phonenumbers.region_code_for_number(number)
    zones: Sequence[str] = ()
    if number_type == phonenumbers.PhoneNumberType.UNKNOWN:
        location = ""
    elif phonenumbers.is_number_type_geographical(number_type, number.country_code or 0):
        location = geocoder.description_for_valid_number(number, "en")
        zones = timezone.time_zones_for_geographical_number(number)
    else:
        location = _country_name(number, region)
        zones = _country_zones(number)
    return {
        "type": _TYPE_NAMES.get(number_type, "unknown"),
        "region": region,
        "carrier": (carrier.name_for_valid_number(number, "en")
                    if number_type in _CARRIER_TYPES else "") or None,
        "location": location or None,
        "time_zones": [z for z in zones if z != "Etc/Unknown"],
    }


def _country_name(number: phonenumbers.PhoneNumber, region: str | None) -> str:
    """`geocoder.country_name_for_number` of a number known valid in `region`.

    That look-up names the one region the number is valid in, and nothing when there are
    several; it checks every region of the country code, `region` included, at the cost of
    working out the number's type in each. Only the others are checked here, and the name of
    a region, the same for every number, is looked up once.
    """
    from phonenumbers import geocoder

    code_of_country = number.country_code or 0
    others = [code for code in phonenumbers.region_codes_for_country_code(code_of_country)
              if code != region]
    if any(phonenumbers.is_valid_number_for_region(number, code) for code in others):
        return ""
    name = _REGION_NAMES.get(region)
    if name is None:
        name = _REGION_NAMES[region] = geocoder.country_name_for_number(number, "en")
    return name


def _country_zones(number: phonenumbers.PhoneNumber) -> Sequence[str]:
    """`timezone.time_zones_for_number` of a valid number of a type that is not geographical.

    Those are the time zones of its country calling code, the same for every such number:
    looked up once per code instead of after working out the number's type once more.
    """
    from phonenumbers import timezone

    code = number.country_code or 0
    zones = _COUNTRY_ZONES.get(code)
    if zones is None:
        zones = _COUNTRY_ZONES[code] = tuple(timezone.time_zones_for_number(number))
    return zones


def normalize_email(raw: str) -> Identity | None:
    """Return the e-mail identity (trimmed, lower-cased, IDNA domain), or None if invalid."""
    text = raw.strip()
    if text.lower().startswith("mailto:"):
        text = unquote(text[7:].split("?", 1)[0])
    if "<" in text and text.endswith(">"):
        text = text[text.rindex("<") + 1 : -1].strip()
    if len(text) > _MAX_EMAIL or text.count("@") != 1:
        return None
    local, domain = text.rsplit("@", 1)
    try:
        ascii_domain = domain.strip().rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    address = f"{local.lower()}@{ascii_domain}"
    if not _EMAIL.match(address) or ".." in address or local.startswith("."):
        return None
    return Identity("email", address)


def normalize_name(raw: str | None) -> str | None:
    """Trim and collapse white space; None for an empty name."""
    if raw is None:
        return None
    name = " ".join(raw.split())[:200]
    return name or None


def normalize_telegram(raw: str, kind: str) -> Identity | None:
    """Telegram, Instagram and WhatsApp ids are digits; usernames lose '@' and case."""
    text = raw.strip()
    if kind in ("instagram", "whatsapp"):
        text = text.lstrip("+") if kind == "whatsapp" else text
        return Identity(kind, text) if text.isdigit() and len(text) <= 32 else None
    if kind == "telegram":
        return Identity("telegram", text) if text.isdigit() else None
    name = text.lstrip("@").lower()
    return Identity("telegram_username", name) if re.fullmatch(r"[a-z0-9_]{4,32}", name) else None
