"""Leadgate's lead → the fields each CRM documents (pure)."""

from __future__ import annotations

import re
import string
from typing import Any

from integrations.crm.settings import PLACEHOLDERS, CrmSettings

MARKER_PREFIX = "leadgate-"


def marker(lead_id: int) -> str:
    """The external id written on the CRM's record, so a retry can find it there."""
    return f"{MARKER_PREFIX}{lead_id}"


def values_of(lead: dict[str, Any]) -> dict[str, str]:
    """Every placeholder's value for one lead ("" when unknown)."""
    attribution = lead.get("attribution") or {}
    known = {
        "lead_id": str(lead["lead_id"]), "name": lead.get("name") or "",
        "phone": (lead.get("phones") or [""])[0], "email": (lead.get("emails") or [""])[0],
        "text": lead.get("text") or "", "channel": lead.get("channel") or "",
        "created_at": lead.get("created_at") or "",
    }
    for key in PLACEHOLDERS:
        known.setdefault(key, str(attribution.get(key, "") or ""))
    return known


def render(value: Any, values: dict[str, str]) -> Any:
    """A template filled in; a value that is no string stays as it is (ids, numbers)."""
    if not isinstance(value, str):
        return value
    return string.Formatter().vformat(value, (), values).strip()


def title_of(settings: CrmSettings, values: dict[str, str]) -> str:
    """The record's title: the template, or the lead's number when it renders empty."""
    title = re.sub(r"\(\s*\)", "", render(settings.title, values)).strip()
    return title or f"Lead #{values['lead_id']}"


def bitrix_fields(settings: CrmSettings, lead: dict[str, Any],
                  contact_id: str | None) -> dict[str, Any]:
    """`fields` of crm.lead.add / crm.deal.add: title, contact, source, UTM, our external id."""
    values = values_of(lead)
    fields: dict[str, Any] = {
        "TITLE": title_of(settings, values), "COMMENTS": values["text"],
        "ORIGINATOR_ID": "leadgate", "ORIGIN_ID": marker(lead["lead_id"]),
        "SOURCE_DESCRIPTION": values["channel"],
    }
    for key in ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"):
        if values[key]:
            fields[key.upper()] = values[key]
    if contact_id:
        fields["CONTACT_ID"] = contact_id
    if settings.entity == "lead":
        fields["NAME"] = values["name"]
        fields |= bitrix_communications(lead)
    fields |= {key: render(value, values) for key, value in settings.fields.items()}
    return fields


def bitrix_communications(lead: dict[str, Any]) -> dict[str, Any]:
    """PHONE and EMAIL multi-fields."""
    found: dict[str, Any] = {}
    if lead.get("phones"):
        found["PHONE"] = [{"VALUE": p, "VALUE_TYPE": "WORK"} for p in lead["phones"]]
    if lead.get("emails"):
        found["EMAIL"] = [{"VALUE": e, "VALUE_TYPE": "WORK"} for e in lead["emails"]]
    return found


def amo_complex_lead(settings: CrmSettings, lead: dict[str, Any],
                     contact_id: int | None) -> dict[str, Any]:
    """One lead of POST /api/v4/leads/complex: the found contact by id, else a new one."""
    values = values_of(lead)
    plain = {k: render(v, values) for k, v in settings.fields.items() if not k.isdigit()}
    custom = [{"field_id": int(k), "values": [{"value": render(v, values)}]}
              for k, v in settings.fields.items() if k.isdigit()]
    contact: dict[str, Any] = {"id": contact_id} if contact_id else {
        "name": values["name"] or values["phone"] or values["email"],
        "custom_fields_values": [
            {"field_code": code, "values": [{"value": v, "enum_code": "WORK"} for v in items]}
            for code, items in (("PHONE", lead.get("phones") or []),
                                ("EMAIL", lead.get("emails") or [])) if items
        ],
    }
    return {
        "name": f"{title_of(settings, values)} [{marker(lead['lead_id'])}]",
        **plain,
        **({"custom_fields_values": custom} if custom else {}),
        "_embedded": {"contacts": [contact], "tags": [{"name": "leadgate"}]},
    }
