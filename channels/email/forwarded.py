"""A mail a colleague forwarded: the original sender, who is the customer, and their text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr

_FORWARD_MARK = re.compile(
    r"^\s*-{2,}\s*(forwarded message|пересылаемое сообщение|пересланное сообщение|"
    r"persiųstas laiškas|persiųsta žinutė|yo'naltirilgan xabar|переадресованное сообщение)"
    r"\s*-{2,}\s*$", re.I)
# Also a reply's quoted history: only a forward when the subject says so.
_ORIGINAL_MARK = re.compile(
    r"^\s*(-{2,}\s*(original message|исходное сообщение|originalus laiškas)\s*-{2,}|_{10,})\s*$",
    re.I)
_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|пересл|пересылка|tov|persiųsta|pers)\s*:", re.I)
_FROM = re.compile(r"^\s*\*?(from|от|от кого|nuo|kimdan|siuntėjas)\s*\*?\s*:\s*(.+?)\s*$", re.I)
# Yandex and Mail.ru write the original sender as `12.05.2026, 10:00, "Name" <addr>:`.
_WROTE = re.compile(r"^.{0,40}\d{1,2}:\d{2},?\s+(.{0,200}<[^<>\s@]+@[^<>\s]+>)\s*:\s*$")
_HEADER_LINES = 12


@dataclass(frozen=True, slots=True)
class ForwardedMail:
    """The original sender of a forwarded mail and what they wrote."""

    name: str
    address: str
    text: str


def forwarded_original(subject: str, text: str) -> ForwardedMail | None:
    """The mail inside a forward, found by its forward marker and its From line; else None."""
    forward_subject = bool(_FORWARD_SUBJECT.match(subject))
    if not forward_subject and "--" not in text:
        return None  # only the forward marker could make it one, and that needs "--"
    lines = text.splitlines()
    for n, line in enumerate(lines[:400]):
        marked = _FORWARD_MARK.match(line) or (forward_subject and _ORIGINAL_MARK.match(line))
        if marked:
            return _original(lines[n + 1:])
    return _original(lines) if forward_subject else None


def _original(lines: list[str]) -> ForwardedMail | None:
    for n, line in enumerate(lines[:_HEADER_LINES]):
        found = _FROM.match(line) or _WROTE.match(line)
        if found is None:
            continue
        name, address = parseaddr(found.group(found.lastindex or 1))
        if "@" not in address:
            return None
        rest = lines[n + 1:]
        blank = next((k for k, text in enumerate(rest[:_HEADER_LINES]) if not text.strip()), -1)
        body = "\n".join(rest[blank + 1:] if blank >= 0 else rest).strip()
        return ForwardedMail(name.strip(), address.strip(), body)
    return None
