"""The readable text of a mail: charsets that lie, HTML turned to text, quotes and signature."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from email.header import decode_header
from email.message import Message
from html.parser import HTMLParser

from channels.email.headers import PartHeaders

# The headers of a part: a fresh `PartHeaders`, or one that a parse shares between its steps.
Read = Callable[[Message], PartHeaders]

# Tried in order when a part's declared charset is unknown or wrong.
FALLBACK_CHARSETS = ("utf-8", "windows-1251", "koi8-r", "cp866", "latin-1")
_CYRILLIC_LOWER = re.compile(r"[а-яё]")
_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
_QUOTE_HEADER = re.compile(
    r"^(On .{5,200} wrote:|.{0,200}(писал|написал|пишет)\(?а?\)?:|-{2,} ?Original Message ?-{2,}|"
    r"-{2,} ?Исходное сообщение ?-{2,})\s*$", re.IGNORECASE)
_SIGNATURE = re.compile(r"^(-- ?|С уважением,?|Best regards,?|Regards,?|Hurmat bilan,?|"
                        r"Pagarbiai,?)\s*$", re.IGNORECASE)
_BLANK_RUN = re.compile(r"\n{3,}")
_TAG = re.compile(r"<[^>]*>")
_WHITE_RUN = re.compile(r"\s+")
_BLOCK_TAGS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "blockquote"}


def decode_bytes(data: bytes, declared: str | None) -> str:
    """Text from bytes: the declared charset if it works, else the likeliest Cyrillic reading."""
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    readings = [data.decode(charset, errors="replace") for charset in FALLBACK_CHARSETS[1:]]
    return max(readings, key=_plausibility)


def part_text(part: Message, read: Read = PartHeaders) -> str:
    """A text part's content, whatever its charset claims."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(part.get_payload() or "")
    return decode_bytes(payload, read(part).charset())


def body_part(message: Message, read: Read = PartHeaders) -> Message | None:
    """The part holding the message's text: the first plain part, else the first HTML part."""
    found: dict[str, Message] = {}
    for part in message.walk():
        if part.is_multipart() or is_attachment(part, read):
            continue
        kind = read(part).content_type()
        if kind in ("text/plain", "text/html"):
            found.setdefault(kind, part)
    return found.get("text/plain") or found.get("text/html")


def is_attachment(part: Message, read: Read = PartHeaders) -> bool:
    """Whether a leaf part is an attachment rather than the message's text."""
    headers = read(part)
    disposition = str(headers.get("Content-Disposition", "")).strip().lower()
    return disposition.startswith("attachment") or (
        headers.filename() is not None and headers.maintype() != "text"
    )


def text_of(body: Message | None, read: Read = PartHeaders) -> str:
    """The readable text of the part `body_part` chose (HTML made readable); "" for none."""
    if body is None:
        return ""
    text = part_text(body, read)
    if read(body).subtype() == "html":
        text = html_to_text(text)
    return normalize_newlines(text)


def html_to_text(markup: str) -> str:
    """Readable text from HTML: blocks become lines, scripts and styles vanish, entities decode."""
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
    except (AssertionError, ValueError):
        return html.unescape(_TAG.sub(" ", markup))
    return parser.text()


def decode_header_value(raw: str) -> str:
    """A header's text from its raw form, encoded words in unknown charsets included."""
    if "=?" not in raw:
        return raw.strip()  # no encoded word: `decode_header` gives the text back as it is
    try:
        chunks = decode_header(raw)
    except (ValueError, IndexError):
        return raw
    return "".join(
        decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk
        for chunk, charset in chunks
    ).strip()


def signature_of(text: str) -> str:
    """The signature block (from "--" or a closing such as "С уважением," on), if any."""
    lines = text.splitlines()
    for n, line in enumerate(lines):
        if _SIGNATURE.match(line.strip()):
            return "\n".join(lines[n:n + 10])
    return ""


def summary_of(text: str) -> str:
    """What the person wrote this time: quoted history and signature trimmed off."""
    kept: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if _QUOTE_HEADER.match(stripped) or _SIGNATURE.match(stripped):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def normalize_newlines(text: str) -> str:
    """Unix newlines, no trailing spaces, at most one blank line in a row."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip()


def _plausibility(text: str) -> float:
    letters = _CYRILLIC.findall(text)
    if not letters:
        return -text.count("\ufffd")
    # Russian text is mostly lower case; a wrong 8-bit reading of it is mostly upper case.
    return len(_CYRILLIC_LOWER.findall(text)) / len(letters) - text.count("\ufffd") / len(text)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self._hidden += 1
        elif tag in _BLOCK_TAGS:
            self._parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS:
            self._parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._parts.append(_WHITE_RUN.sub(" ", data))

    def text(self) -> str:
        lines = (line.strip() for line in "".join(self._parts).split("\n"))
        return normalize_newlines("\n".join(lines))
