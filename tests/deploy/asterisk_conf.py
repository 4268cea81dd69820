"""A small reader of Asterisk's .conf syntax: sections, options, comments, nothing else allowed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_SECTION = re.compile(r"^\[([^\]\s]+)\](?:\(([^)]*)\))?$")
_OPTION = re.compile(r"^([A-Za-z0-9_.\-()]+)\s*=>?\s*(.*)$")
_CONTINUED = re.compile(r"^same\s*=>\s*(.+)$")


class ConfSyntaxError(ValueError):
    """A line Asterisk's config parser would not read as intended."""


@dataclass
class Section:
    """One `[name](templates)` block and its options in order (keys may repeat)."""

    name: str
    templates: tuple[str, ...]
    options: list[tuple[str, str]] = field(default_factory=list)

    def values(self, key: str) -> list[str]:
        """Every value of `key`, in order."""
        return [value for k, value in self.options if k == key]

    def value(self, key: str) -> str:
        """The one value of `key` (KeyError if absent)."""
        found = self.values(key)
        if not found:
            raise KeyError(f"[{self.name}] has no {key}")
        return found[-1]


def parse_conf(path: Path) -> list[Section]:
    """The sections of an Asterisk .conf file; ConfSyntaxError names the first bad line."""
    sections: list[Section] = []
    for number, raw in enumerate(path.read_text("utf-8").splitlines(), start=1):
        line = _without_comment(raw).strip()
        if not line or line.startswith("#include"):
            continue
        where = f"{path.name}:{number}"
        header = _SECTION.match(line)
        if header:
            templates = tuple(t.strip() for t in (header.group(2) or "").split(",") if t.strip())
            sections.append(Section(header.group(1), templates))
            continue
        if not sections:
            raise ConfSyntaxError(f"{where}: an option before any [section]")
        continued = _CONTINUED.match(line)
        option = _OPTION.match(line)
        if continued:
            sections[-1].options.append(("same", continued.group(1).strip()))
        elif option:
            sections[-1].options.append((option.group(1), option.group(2).strip()))
        else:
            raise ConfSyntaxError(f"{where}: not `key = value`: {line!r}")
    return sections


def sections_named(sections: list[Section], name: str) -> list[Section]:
    """Every section called `name` (pjsip.conf reuses a name for endpoint, aor and auth)."""
    return [s for s in sections if s.name == name]


def _without_comment(line: str) -> str:
    # `;` starts a comment unless escaped as `\\;`.
    return re.split(r"(?<!\\);", line, maxsplit=1)[0]
