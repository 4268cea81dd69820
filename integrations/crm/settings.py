"""`[crm.bitrix24]` and `[crm.amocrm]`: where leads go, how fields map, how fast to call."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any

DEFAULT_TITLE = "{name} ({channel})"
PLACEHOLDERS = ("lead_id", "name", "phone", "email", "text", "channel", "utm_source",
                "utm_medium", "utm_campaign", "utm_content", "utm_term", "form", "page_url",
                "ad_id", "created_at")


@dataclass(frozen=True, slots=True)
class CrmSettings:
    """One CRM: its address and credentials, field mapping and pacing."""

    crm: str
    base_url: str
    access_token: str = field(default="", repr=False)
    entity: str = "lead"
    """Bitrix24: `lead` or `deal` (a deal always gets a contact)."""
    title: str = DEFAULT_TITLE
    fields: dict[str, Any] = field(default_factory=dict)
    """The CRM's field → a value or a template of PLACEHOLDERS (`"{utm_campaign}"`)."""
    requests_per_second: float = 2.0
    max_attempts: int = 10
    backoff_seconds: float = 5.0
    timeout_seconds: float = 15.0


def crm_from_toml(section: Any) -> list[CrmSettings]:
    """Every configured CRM of the `[crm]` table; ValueError names the key."""
    if section is None:
        return []
    if not isinstance(section, dict):
        raise ValueError("[crm] must be a table")
    unknown = set(section) - {"bitrix24", "amocrm"}
    if unknown:
        raise ValueError(f"[crm.{sorted(unknown)[0]}]: known CRMs are bitrix24 and amocrm")
    found = []
    if "bitrix24" in section:
        table = _table(section["bitrix24"], "[crm.bitrix24]")
        entity = table.get("entity", "lead")
        if entity not in ("lead", "deal"):
            raise ValueError('[crm.bitrix24] entity must be "lead" or "deal"')
        found.append(_settings("bitrix24", table, _url(table, "webhook_url", "[crm.bitrix24]"),
                               "", entity, 2.0))
    if "amocrm" in section:
        table = _table(section["amocrm"], "[crm.amocrm]")
        token = table.get("access_token")
        if not isinstance(token, str) or not token:
            raise ValueError("[crm.amocrm] access_token is required (a long-lived token)")
        found.append(_settings("amocrm", table, _url(table, "base_url", "[crm.amocrm]"), token,
                               "lead", 7.0))
    return found


def _settings(crm: str, table: dict[str, Any], url: str, token: str, entity: str,
              rate: float) -> CrmSettings:
    where = f"[crm.{crm}]"
    fields = table.get("fields", {})
    if not isinstance(fields, dict):
        raise ValueError(f"{where} fields must be a table of CRM field = value or template")
    title = str(table.get("title", DEFAULT_TITLE))
    for template in [title, *(v for v in fields.values() if isinstance(v, str))]:
        check_template(template, where)
    return CrmSettings(crm, url, token, entity, title, dict(fields),
                       _positive(table, where, "requests_per_second", rate),
                       int(_positive(table, where, "max_attempts", 10)),
                       _positive(table, where, "backoff_seconds", 5.0),
                       _positive(table, where, "timeout_seconds", 15.0))


def check_template(template: str, where: str) -> None:
    """ValueError when the template names a placeholder we cannot fill."""
    try:
        names = [n for _, n, _, _ in string.Formatter().parse(template) if n is not None]
    except ValueError as err:
        raise ValueError(f"{where}: {template!r} is not a valid template: {err}") from err
    for name in names:
        if name not in PLACEHOLDERS:
            raise ValueError(f"{where}: unknown placeholder {{{name}}}; known: "
                             f"{', '.join(PLACEHOLDERS)}")


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be a table")
    return value


def _url(table: dict[str, Any], key: str, where: str) -> str:
    url = table.get(key)
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ValueError(f"{where} {key} must be an http(s) URL")
    return url.rstrip("/")


def _positive(table: dict[str, Any], where: str, key: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"{where} {key} must be a positive number")
    return float(value)
