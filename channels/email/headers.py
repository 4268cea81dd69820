"""A mail part's headers read once: `Message`'s header answers without a scan per question.

`Message.get` walks every header for each look-up, and `get_filename`/`get_content_charset`
parse the Content-* parameters anew each time; a mail's parse asks some thirty such questions.
`PartHeaders` indexes the headers once and gives the same answers. The Content-* parameters of
the everyday form (`text/plain; charset=utf-8`) are read off directly; any value with quotes,
escapes, brackets or RFC 2231 marks goes to the stdlib as before, and so do its errors.
"""

from __future__ import annotations

from collections.abc import Callable
from email.message import Message
from typing import Any

_MISSING: Any = object()
# Marks that the stdlib's parameter parser treats specially (quoting, RFC 2231, <...>).
_NOT_PLAIN = frozenset('"*\\<')


class PartHeaders:
    """One part's headers as `Message` answers them; valid while they stay unchanged."""

    __slots__ = ("part", "_first", "_fetched", "_content_type")

    def __init__(self, part: Message) -> None:
        first: dict[str, tuple[str, Any]] = {}
        for name, value in part.raw_items():
            first.setdefault(name.lower(), (name, value))
        self.part = part
        self._first = first
        self._fetched: dict[str, Any] = {}
        self._content_type: str | None = None

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._first

    def get(self, name: str, default: Any = None) -> Any:
        """`Message.get`: the first such header as the policy fetches it, else `default`."""
        key = name.lower()
        if key in self._fetched:
            return self._fetched[key]
        found = self._first.get(key)
        if found is None:
            return default
        value = self._fetched[key] = self.part.policy.header_fetch_parse(*found)
        return value

    def content_type(self) -> str:
        """`Message.get_content_type`."""
        if self._content_type is None:
            value = self.get("content-type", _MISSING)
            if value is _MISSING:
                ctype = self.part.get_default_type()
            else:
                ctype = str(value).partition(";")[0].strip().lower()
                if ctype.count("/") != 1:
                    ctype = "text/plain"
            self._content_type = ctype
        return self._content_type

    def maintype(self) -> str:
        """`Message.get_content_maintype`."""
        return self.content_type().split("/")[0]

    def subtype(self) -> str:
        """`Message.get_content_subtype`."""
        return self.content_type().split("/")[1]

    def filename(self) -> str | None:
        """`Message.get_filename`."""
        found = self._param("filename", "content-disposition")
        if found is _MISSING:
            found = self._param("name", "content-type")
        if found is None:
            return self.part.get_filename()
        return None if found is _MISSING else str(found).strip()

    def charset(self) -> str | None:
        """`Message.get_content_charset`."""
        found = self._param("charset", "content-type")
        if found is None:
            return self.part.get_content_charset()
        if found is _MISSING or not str(found).isascii():
            return None
        return str(found).lower()

    def _param(self, param: str, header: str) -> Any:
        """`Message.get_param`'s answer (`_MISSING` for none); None when only it can say."""
        value = self.get(header, _MISSING)
        if value is _MISSING:
            return _MISSING
        if not isinstance(value, str) or not _NOT_PLAIN.isdisjoint(value):
            return None
        # Without quotes, escapes and RFC 2231 marks the stdlib's parameters are the `;`-pieces,
        # split at their first `=` and stripped, the name compared without case.
        for piece in value.split(";"):
            name, equals, found = piece.partition("=")
            if name.strip().lower() == param:
                return found.strip() if equals else ""
        return _MISSING


def shared_reader() -> Callable[[Message], PartHeaders]:
    """One `PartHeaders` per part, made on first use: for the parts of one mail as it is read."""
    made: dict[int, PartHeaders] = {}

    def read(part: Message) -> PartHeaders:
        # The entry keeps its part alive, so no other part can take over its id meanwhile.
        headers = made.get(id(part))
        if headers is None:
            headers = made[id(part)] = PartHeaders(part)
        return headers

    return read
