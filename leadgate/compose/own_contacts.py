"""Our own numbers and staff addresses, gathered from the config: they never become customers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from leads.errors import ConfigError
from leads.normalize import Identity, normalize_email, normalize_phone


def own_identities(raw: Mapping[str, Any], region: str | None) -> frozenset[tuple[str, str]]:
    """`own_numbers`, `staff_emails`, managers' e-mails and our own mailboxes as identities."""
    numbers = [*_strings(raw, "own_numbers"), *_strings(_table(raw, "asterisk"), "own_numbers")]
    emails = [*_strings(raw, "staff_emails"), *_strings(_table(raw, "smtp"), "recipients")]
    emails += [str(m.get("email")) for m in _table(raw, "managers").values()
               if isinstance(m, dict) and m.get("email")]
    emails += [str(box.get("user")) for box in _mailboxes(raw) if "@" in str(box.get("user"))]
    found: list[Identity | None] = [normalize_phone(_plus(n), region) for n in numbers]
    found += [normalize_email(e) for e in emails]
    return frozenset((i.kind, i.value) for i in found if i is not None)


def _plus(number: str) -> str:
    # `[asterisk] own_numbers` are written as the trunk shows them: full digits, no "+".
    digits = "".join(ch for ch in number if ch.isdigit())
    return "+" + digits if len(digits) > 10 and not number.strip().startswith(("+", "8")) \
        else number


def _strings(table: Mapping[str, Any], key: str) -> Iterable[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise ConfigError(f"{key} must be a list of strings")
    return [str(v) for v in value]


def _table(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key, {})
    return value if isinstance(value, dict) else {}


def _mailboxes(raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    boxes = _table(raw, "imap").get("mailboxes", [])
    return [box for box in boxes if isinstance(box, dict)] if isinstance(boxes, list) else []
