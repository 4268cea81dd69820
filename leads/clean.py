"""Text a store can always hold: no NUL, no lone surrogates, no non-characters, bounded length.

A contact is never lost because of one byte: channels hand over whatever the sender wrote, and
intake cleans it here before anything is written. PostgreSQL refuses NUL in text and JSON, and
no database driver can encode a lone surrogate; both are replaced, never a reason to refuse.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from leads.model import ContactEvent, RawIdentity

REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_MAX_DEPTH = 32
KEY_LIMIT = 512
NAME_LIMIT = 200
SUBJECT_LIMIT = 2_000
TEXT_LIMIT = 200_000


def clean_text(value: str, limit: int | None = None) -> str:
    """`value` with NUL dropped and lone surrogates and non-characters replaced, cut to `limit`."""
    if _UNSTORABLE.search(value):
        value = _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else REPLACEMENT, value)
    if limit is not None and len(value) > limit:
        value = value[:limit]
    return value


def clean_optional(value: str | None, limit: int | None = None) -> str | None:
    """`clean_text` that keeps None."""
    return None if value is None else clean_text(value, limit)


def clean_key(value: str, limit: int) -> str:
    """A cleaned identifier that stays unique: one longer than `limit` ends in its own hash."""
    value = clean_text(value)
    if len(value) <= limit:
        return value
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{value[: limit - 33]}#{digest}"


def clean_json(value: Any, limit: int = 100_000, depth: int = 0) -> Any:
    """A JSON-shaped value with every string (keys too) cleaned; nesting cut at a sane depth."""
    if isinstance(value, str):
        return clean_text(value, limit)
    if depth >= _MAX_DEPTH:
        return None
    if isinstance(value, Mapping):
        return {clean_text(str(k), 200): clean_json(v, limit, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v, limit, depth + 1) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN or Infinity; PostgreSQL refuses them
    if value is None or isinstance(value, bool | int | float):
        return value
    return clean_text(str(value), limit)


def clean_event(event: ContactEvent) -> ContactEvent:
    """The event with every text field storable (the same object when nothing needed cleaning)."""
    if _is_clean(event):
        return event
    cleaned = replace(
        event,
        external_id=clean_key(event.external_id, KEY_LIMIT),
        identities=tuple(RawIdentity(i.kind, clean_text(i.value, 1000)) for i in event.identities),
        name=clean_optional(event.name, NAME_LIMIT),
        subject=clean_optional(event.subject, SUBJECT_LIMIT),
        text=clean_optional(event.text, TEXT_LIMIT),
        attribution={k: str(v) for k, v in clean_json(dict(event.attribution), 2000).items()},
        details=clean_json(dict(event.details)),
        raw_ref=None if event.raw_ref is None else clean_key(event.raw_ref, KEY_LIMIT),
        replies_to=tuple(clean_key(r, KEY_LIMIT) for r in event.replies_to),
        ignored=clean_optional(event.ignored, 200),
    )
    return event if cleaned == event else cleaned


def _is_clean(event: ContactEvent) -> bool:
    """True when cleaning would give back an equal event: almost every event, and checking is
    cheaper than building the cleaned copy to compare."""
    if not (_is_clean_text(event.external_id, KEY_LIMIT)
            and _is_clean_optional(event.name, NAME_LIMIT)
            and _is_clean_optional(event.subject, SUBJECT_LIMIT)
            and _is_clean_optional(event.text, TEXT_LIMIT)
            and _is_clean_optional(event.raw_ref, KEY_LIMIT)
            and _is_clean_optional(event.ignored, 200)
            and type(event.identities) is tuple and type(event.replies_to) is tuple
            and type(event.attribution) is dict and type(event.details) is dict):
        return False
    for identity in event.identities:
        if not _is_clean_text(identity.value, 1000):
            return False
    for reply_to in event.replies_to:
        if not _is_clean_text(reply_to, KEY_LIMIT):
            return False
    for key, value in event.attribution.items():
        if not (type(key) is str and type(value) is str and _is_clean_text(key, 200)
                and _is_clean_text(value, 2000)):
            return False
    return _is_clean_json(event.details, 100_000, 0)


def _is_clean_optional(value: str | None, limit: int) -> bool:
    return value is None or _is_clean_text(value, limit)


def _is_clean_text(value: str, limit: int) -> bool:
    if len(value) > limit:
        return False
    if value.isascii():  # known from the string's header: NUL is then the only unstorable one
        return "\x00" not in value
    return _UNSTORABLE.search(value) is None


def _is_clean_json(value: Any, limit: int, depth: int) -> bool:
    """True only when `clean_json(value, limit, depth) == value` (False may also mean "unsure")."""
    kind = type(value)
    if kind is str:
        return _is_clean_text(value, limit)
    if depth >= _MAX_DEPTH:
        return value is None
    if kind is dict:
        for key, item in value.items():
            if not (type(key) is str and _is_clean_text(key, 200)):
                return False
            if not (_is_clean_text(item, limit) if type(item) is str
                    else _is_clean_json(item, limit, depth + 1)):
                return False
        return True
    if kind is list:
        return all(_is_clean_json(item, limit, depth + 1) for item in value)
    if kind is float:
        return math.isfinite(value)
    return value is None or kind is bool or kind is int
