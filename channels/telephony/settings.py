"""Telephony settings: the `[asterisk]` TOML section and its `[asterisk.did.<number>]` tables."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from channels.telephony.recordings import Recordings

_STRINGS = (
    "host", "username", "secret", "extension_pattern", "default_region", "cdr_timezone",
    "spool_file",
)  # fmt: skip
_STRING_LISTS = ("trunk_contexts", "own_numbers")
_SECONDS = (
    "ping_interval", "action_timeout", "stale_call_seconds", "originate_timeout",
    "cdr_wait_seconds",
)  # fmt: skip


def digits_of(number: str) -> str:
    """The digits of a phone number as written anywhere (`+7 495 123-45-67` → `74951234567`)."""
    return "".join(ch for ch in number if ch.isdigit())


@dataclass(frozen=True, slots=True)
class TelephonySettings:
    """How to reach Asterisk's AMI and how to read its calls (enabled when `[asterisk]` exists)."""

    host: str = "127.0.0.1"
    port: int = 5038
    username: str = "leadgate"
    secret: str = field(default="", repr=False)
    trunk_contexts: tuple[str, ...] = ("from-trunk",)
    extension_pattern: str = r"\d{2,5}"
    own_numbers: frozenset[str] = frozenset()
    default_region: str | None = None
    did_map: dict[str, dict[str, str]] = field(default_factory=dict)
    ping_interval: float = 10.0
    action_timeout: float = 5.0
    stale_call_seconds: float = 4 * 3600.0
    max_open_calls: int = 20_000
    originate_context: str = "from-internal"
    originate_channel: str = "PJSIP/{extension}"
    originate_timeout: float = 30.0
    cdr_timezone: str = "UTC"
    """Asterisk writes Cdr times in its local time zone."""
    spool_file: str | None = None
    """Where calls not yet stored are kept across a restart (unset: in memory only)."""
    cdr_wait_seconds: float = 3.0
    """How long a call adopted mid-way waits after its last Hangup for its Cdr."""

    @classmethod
    def from_toml(cls, section: dict[str, Any]) -> TelephonySettings:
        """Build from the `[asterisk]` table; ValueError names the bad key."""
        values: dict[str, Any] = {}
        for key in _STRINGS + ("originate_context", "originate_channel"):
            if key in section:
                values[key] = _string(section, key)
        for key in _STRING_LISTS:
            if key in section:
                values[key] = tuple(_string_list(section, key))
        for key in _SECONDS:
            if key in section:
                values[key] = _positive_number(section, key)
        if "port" in section:
            values["port"] = _port(section["port"])
        if "max_open_calls" in section:
            values["max_open_calls"] = int(_positive_number(section, "max_open_calls"))
        if "secret" not in values:
            raise ValueError("[asterisk] secret is required (the AMI user's secret)")
        values["own_numbers"] = frozenset(digits_of(n) for n in values.get("own_numbers", ()))
        values["did_map"] = _did_map(section.get("did", {}))
        Recordings.from_toml(section)  # checked here, used by the recordings endpoint
        settings = cls(**values)
        settings.check()
        return settings

    @classmethod
    def from_config(cls, raw: dict[str, Any], default_region: str | None
                    ) -> TelephonySettings | None:
        """`[asterisk]` read (the service's region as its default), or None without it."""
        section = raw.get("asterisk")
        if not section:
            return None
        if not isinstance(section, dict):
            raise ValueError("[asterisk] must be a table")
        return cls.from_toml({"default_region": default_region} | section)

    def check(self) -> None:
        """Raise ValueError if a value is present but unusable."""
        try:
            re.compile(self.extension_pattern)
        except re.error as err:
            message = f"[asterisk] extension_pattern is no regular expression: {err}"
            raise ValueError(message) from err
        try:
            ZoneInfo(self.cdr_timezone)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"[asterisk] cdr_timezone is no time zone: {err}") from err
        if "{extension}" not in self.originate_channel:
            raise ValueError("[asterisk] originate_channel must contain {extension}")

    def known_did(self, number: str) -> str | None:
        """`number` if it is one of our configured numbers (a DID), else None."""
        digits = digits_of(number)
        return number if digits and (digits in self.did_map or digits in self.own_numbers) else None

    def attribution_for(self, did: str | None) -> dict[str, str]:
        """The attribution of a dialed number: `did` plus its `[asterisk.did.<number>]` entry."""
        if not did:
            return {}
        return {"did": did, **self.did_map.get(digits_of(did), {})}


def _string(section: dict[str, Any], key: str) -> str:
    value = section[key]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"[asterisk] {key} must be a non-empty string")
    return value.strip()


def _string_list(section: dict[str, Any], key: str) -> list[str]:
    value = section[key]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"[asterisk] {key} must be a list of non-empty strings")
    return list(value)


def _positive_number(section: dict[str, Any], key: str) -> float:
    value = section[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"[asterisk] {key} must be a positive number")
    return float(value)


def _port(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
        raise ValueError("[asterisk] port must be an integer between 1 and 65535")
    return value


def _did_map(tables: object) -> dict[str, dict[str, str]]:
    if not isinstance(tables, dict):
        raise ValueError("[asterisk.did] must be tables named by the dialed number")
    result: dict[str, dict[str, str]] = {}
    for number, entry in tables.items():
        if not digits_of(str(number)):
            raise ValueError(f"[asterisk.did.{number}]: the table name must be a phone number")
        if not isinstance(entry, dict) or not all(isinstance(v, str) for v in entry.values()):
            raise ValueError(f"[asterisk.did.{number}] values must be strings (source = \"...\")")
        result[digits_of(str(number))] = {str(k): v for k, v in entry.items()}
    return result
