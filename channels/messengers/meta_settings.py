"""Reading the keys Meta's channels share (`app_secret`, `verify_token`, `access_token`, …)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DEFAULT_API_BASE = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v21.0"


def checked_table(section: str, name: str, table: Any) -> dict[str, Any]:
    """The `[<section>.<name>]` table, its name checked; ValueError says what is wrong."""
    if not _NAME.match(name):
        raise ValueError(f"[{section}.{name}]: a name may hold only letters, digits, '-' and '_'")
    if not isinstance(table, dict):
        raise ValueError(f"[{section}.{name}] must be a table")
    return table


def required_text(table: dict[str, Any], where: str, key: str) -> str:
    """A non-empty string key."""
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: {key} is required (a non-empty string)")
    return value.strip()


def optional_text(table: dict[str, Any], where: str, key: str, default: str) -> str:
    """A string key with a default."""
    return required_text(table, where, key) if key in table else default


def region(table: dict[str, Any], where: str, fallback: str | None) -> str | None:
    """`default_region`: a two-letter country, else the service's."""
    value = table.get("default_region", fallback)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) != 2 or not value.isalpha():
        raise ValueError(f"{where}: default_region must be a two-letter country code")
    return value.upper()


@dataclass(frozen=True, slots=True)
class MetaAccount:
    """What every Meta channel table holds: webhook secrets, token, the Graph API's address."""

    kind: str
    name: str
    app_secret: str = field(repr=False)
    verify_token: str = field(repr=False)
    access_token: str = field(repr=False)
    api_base: str = DEFAULT_API_BASE
    api_version: str = DEFAULT_API_VERSION
    default_region: str | None = None

    @property
    def path(self) -> str:
        """The webhook path: `/<kind>/<name>`."""
        return f"/{self.kind}/{self.name}"

    @property
    def where(self) -> str:
        """How error messages name the table."""
        return f"[{self.kind}.{self.name}]"

    @classmethod
    def from_toml(cls, kind: str, name: str, table: dict[str, Any],
                  fallback_region: str | None) -> MetaAccount:
        """Read the shared keys of `[<kind>.<name>]`; ValueError names the bad key."""
        where = f"[{kind}.{name}]"
        return cls(
            kind=kind,
            name=name,
            app_secret=required_text(table, where, "app_secret"),
            verify_token=required_text(table, where, "verify_token"),
            access_token=required_text(table, where, "access_token"),
            api_base=optional_text(table, where, "api_base", DEFAULT_API_BASE).rstrip("/"),
            api_version=optional_text(table, where, "api_version", DEFAULT_API_VERSION),
            default_region=region(table, where, fallback_region),
        )
