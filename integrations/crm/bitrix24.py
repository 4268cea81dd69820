"""Bitrix24 through an inbound webhook: duplicate search by phone/e-mail, then the lead or deal."""

from __future__ import annotations

from typing import Any

from integrations.crm.http import PacedClient
from integrations.crm.mapping import bitrix_communications, bitrix_fields, marker
from integrations.crm.settings import CrmSettings
from leads.errors import CrmRefused, CrmUnavailable, RateLimited

_LIMIT_ERRORS = ("QUERY_LIMIT_EXCEEDED", "OPERATION_TIME_LIMIT")


class Bitrix24:
    """`crm.duplicate.findbycomm`, `crm.contact.add`, `crm.lead.add`/`crm.deal.add`, `*.list`."""

    def __init__(self, settings: CrmSettings, client: PacedClient) -> None:
        self.settings = settings
        self._client = client

    async def existing(self, lead: dict[str, Any]) -> tuple[str, str | None] | None:
        """The record an earlier attempt made (found by ORIGIN_ID), if it got that far."""
        found = await self.method(f"crm.{self.settings.entity}.list", {
            "filter": {"ORIGINATOR_ID": "leadgate", "ORIGIN_ID": marker(lead["lead_id"])},
            "select": ["ID", "CONTACT_ID"],
        })
        if not found:
            return None
        record = found[0]
        return str(record["ID"]), _id(record.get("CONTACT_ID"))

    async def create(self, lead: dict[str, Any]) -> tuple[str, str | None]:
        """Create the lead (or deal) on the customer's existing contact; the new ids."""
        contact = await self.find_contact(lead.get("phones") or [], lead.get("emails") or [])
        if contact is None and self.settings.entity == "deal":
            contact = _id(await self.method("crm.contact.add", {"fields": {
                "NAME": lead.get("name") or "", "ORIGINATOR_ID": "leadgate",
                "ORIGIN_ID": marker(lead["lead_id"]), **bitrix_communications(lead)}}))
        created = await self.method(f"crm.{self.settings.entity}.add", {
            "fields": bitrix_fields(self.settings, lead, contact),
            "params": {"REGISTER_SONET_EVENT": "Y"},
        })
        return str(created), contact

    async def find_contact(self, phones: list[str], emails: list[str]) -> str | None:
        """The oldest contact holding one of these phones, else e-mails."""
        for kind, values in (("PHONE", phones), ("EMAIL", emails)):
            if not values:
                continue
            found = await self.method("crm.duplicate.findbycomm", {
                "entity_type": "CONTACT", "type": kind, "values": values[:20]})
            ids = found.get("CONTACT") if isinstance(found, dict) else None
            if ids:
                return str(min(int(i) for i in ids))
        return None

    async def method(self, name: str, params: dict[str, Any]) -> Any:
        """Call one REST method; its `result`, or the error mapped to our errors."""
        status, body, retry = await self._client.call(
            "POST", f"{self.settings.base_url}/{name}.json", json=params)
        error = body.get("error") if isinstance(body, dict) else None
        if error in _LIMIT_ERRORS or status == 429:
            raise RateLimited(f"bitrix24 {name}: {error or status}", retry or 1.0)
        if status >= 500:
            raise CrmUnavailable(f"bitrix24 {name} answered {status}")
        if error or status >= 300 or not isinstance(body, dict) or "result" not in body:
            detail = body.get("error_description", "") if isinstance(body, dict) else ""
            raise CrmRefused(f"bitrix24 {name}: {error or status} {detail}".strip())
        return body["result"]


def _id(value: Any) -> str | None:
    return str(value) if value not in (None, "", 0, "0", False) else None
