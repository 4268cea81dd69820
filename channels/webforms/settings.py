"""Web form settings: the `[forms.<key>]` tables and the `[webforms]` limits of the TOML config."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_FORM_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True, slots=True)
class FormSettings:
    """One form: `POST /forms/<key>`."""

    key: str
    name: str
    default_region: str | None = None
    allowed_origins: tuple[str, ...] = ()
    thank_you_url: str | None = None
    success_status: int = 201
    honeypot_field: str = "website"
    min_fill_seconds: float = 0.0
    """A post must carry the snippet's render stamp at least this old (0: no check)."""

    def allows_origin(self, origin: str | None) -> bool:
        """True when a browser at `origin` may post (no list configured: any origin may)."""
        if origin is None or not self.allowed_origins:
            return True
        return origin.rstrip("/") in self.allowed_origins or "*" in self.allowed_origins


@dataclass(frozen=True, slots=True)
class WebFormsSettings:
    """All forms plus the limits every form shares."""

    forms: dict[str, FormSettings] = field(default_factory=dict)
    max_body_bytes: int = 1024 * 1024
    rate_limit_per_minute: int = 60
    rate_limit_burst: int = 20
    trust_forwarded_for: bool = False
    stamp_secret: str | None = None
    public_url: str | None = None
    """How browsers reach us (the snippet posts there); else the request's own URL."""

    @classmethod
    def from_toml(cls, forms: dict[str, Any], limits: dict[str, Any],
                  public_url: str | None = None) -> WebFormsSettings:
        """Build from `[forms.*]` and `[webforms]`; ValueError names the bad key."""
        parsed = {key: _form(key, table) for key, table in forms.items()}
        secret = limits.get("stamp_secret")
        if secret is not None and (not isinstance(secret, str) or len(secret) < 16):
            raise ValueError("[webforms] stamp_secret must be a string of 16 characters or more")
        return cls(
            stamp_secret=secret,
            public_url=public_url.rstrip("/") if public_url else None,
            forms=parsed,
            max_body_bytes=_int(limits, "max_body_bytes", 1024 * 1024, minimum=1024),
            rate_limit_per_minute=_int(limits, "rate_limit_per_minute", 60, minimum=0),
            rate_limit_burst=_int(limits, "rate_limit_burst", 20, minimum=1),
            trust_forwarded_for=bool(limits.get("trust_forwarded_for", False)),
        )


def _form(key: str, table: Any) -> FormSettings:
    where = f"[forms.{key}]"
    if not _FORM_KEY.match(key):
        raise ValueError(f"{where}: a form key may hold only letters, digits, '-' and '_'")
    if not isinstance(table, dict):
        raise ValueError(f"{where} must be a table")
    status = table.get("success_status", 201)
    if status not in (200, 201):
        raise ValueError(f"{where}: success_status must be 200 or 201, not {status!r}")
    origins = table.get("allowed_origins", [])
    if not isinstance(origins, list) or not all(isinstance(o, str) for o in origins):
        raise ValueError(f"{where}: allowed_origins must be a list of origins like 'https://a.uz'")
    region = table.get("default_region")
    if region is not None and (not isinstance(region, str) or len(region) != 2):
        raise ValueError(f"{where}: default_region must be a two-letter country code")
    fill = table.get("min_fill_seconds", 0)
    if not isinstance(fill, int | float) or isinstance(fill, bool) or not 0 <= fill <= 3600:
        raise ValueError(f"{where}: min_fill_seconds must be a number of seconds from 0 to 3600")
    return FormSettings(
        min_fill_seconds=float(fill),
        key=key,
        name=str(table.get("name", key)),
        default_region=region.upper() if region else None,
        allowed_origins=tuple(o.rstrip("/") for o in origins),
        thank_you_url=table.get("thank_you_url"),
        success_status=status,
        honeypot_field=str(table.get("honeypot_field", "website")),
    )


def _int(table: dict[str, Any], key: str, default: int, minimum: int) -> int:
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"[webforms] {key} must be a whole number ≥ {minimum}, not {value!r}")
    return value
