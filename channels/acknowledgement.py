"""The automatic reply a customer gets on the channel they used (Telegram, SMS), once per lead."""

from __future__ import annotations

import logging
import re
import string
from collections import OrderedDict
from typing import Protocol

from leads.errors import StoreUnavailable
from leads.model import IntakeResult

log = logging.getLogger(__name__)

# What a placeholder reads as when its value is unknown; an unknown name simply disappears.
FALLBACKS = {"name": "", "manager": "our manager"}
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.!?;:])")
_REPEATED_PUNCTUATION = re.compile(r"([,;:])\s*(?=[,.!?;:])")
_MARK = "\x00"
_FALLBACK_STARTS_SENTENCE = re.compile(r"(^|[.!?]\s+)\x00(\w)")


class _Known(dict[str, str]):
    """Placeholders with values; unknown placeholders fall back instead of raising."""

    def __missing__(self, key: str) -> str:
        return _MARK + FALLBACKS.get(key, "")


def check_template(template: str) -> None:
    """Raise ValueError when the template cannot be rendered (bad braces, attribute access)."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name]
    except ValueError as err:
        raise ValueError(f"ack_template is not a valid template: {err}") from err
    for name in fields:
        if not name.isidentifier():
            raise ValueError(f"ack_template: placeholder {{{name}}} must be a plain name")


def render_ack(template: str, name: str | None = None, manager: str | None = None) -> str:
    """Fill `{name}` and `{manager}` with what is known; missing ones read sensibly."""
    known = _Known({k: v for k, v in (("name", name), ("manager", manager)) if v})
    text = template.format_map(known)
    text = _FALLBACK_STARTS_SENTENCE.sub(lambda m: m.group(1) + m.group(2).upper(), text)
    text = text.replace(_MARK, "")
    text = _REPEATED_PUNCTUATION.sub("", text)
    text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)
    return " ".join(text.split()).lstrip(",;: ")


def manager_of(result: IntakeResult) -> str | None:
    """The name of the manager the new lead was offered to, if it was."""
    return result.manager_name or None


class OnceMarks(Protocol):
    """Marks every process shares: `first(key)` is True once per key in the whole cluster."""

    async def first(self, key: str) -> bool: ...


class AcknowledgedLeads:
    """Remembers the leads already acknowledged, so a customer gets one auto-reply per lead.

    With `marks` (the store) the memory is the cluster's: two processes taking two messages of
    one customer acknowledge once. Without, it is this process's last `capacity` leads.
    """

    def __init__(self, marks: OnceMarks | None = None, capacity: int = 10_000) -> None:
        self._marks = marks
        self._leads: OrderedDict[int, None] = OrderedDict()
        self._capacity = capacity

    async def first_time(self, result: IntakeResult) -> bool:
        """True once per new stored lead; never for duplicates or ignored events."""
        if result.deduplicated or result.ignored is not None or result.lead_id is None:
            return False
        if result.lead_id in self._leads:
            return False
        self._leads[result.lead_id] = None
        if len(self._leads) > self._capacity:
            self._leads.popitem(last=False)
        if self._marks is None:
            return True
        try:
            return await self._marks.first(f"lead:{result.lead_id}")
        except StoreUnavailable:
            log.warning("acknowledgement skipped: the store is unavailable")
            return False  # rather none than two
