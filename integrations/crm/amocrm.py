"""amoCRM / Kommo API v4: find the contact, create the lead with its contact in one call."""

from __future__ import annotations

from typing import Any

from integrations.crm.http import PacedClient
from integrations.crm.mapping import amo_complex_lead, marker
from integrations.crm.settings import CrmSettings
from leads.errors import CrmRefused, CrmUnavailable, RateLimited


class AmoCrm:
    """`GET /api/v4/contacts?query=`, `POST /api/v4/leads/complex`, `GET /api/v4/leads?query=`."""

    def __init__(self, settings: CrmSettings, client: PacedClient) -> None:
        self.settings = settings
        self._client = client
        self._auth = {"Authorization": f"Bearer {settings.access_token}"}

    async def existing(self, lead: dict[str, Any]) -> tuple[str, str | None] | None:
        """The lead an earlier attempt made (its name carries our marker), if any."""
        found = await self._get("/api/v4/leads", {"query": marker(lead["lead_id"]),
                                                  "with": "contacts"})
        leads = (found or {}).get("_embedded", {}).get("leads") or []
        if not leads:
            return None
        contacts = (leads[0].get("_embedded") or {}).get("contacts") or [{}]
        contact = contacts[0].get("id")
        return str(leads[0]["id"]), str(contact) if contact else None

    async def create(self, lead: dict[str, Any]) -> tuple[str, str | None]:
        """Create the lead on the found contact, or with a new one; the new ids."""
        contact = await self.find_contact(lead.get("phones") or [], lead.get("emails") or [])
        body = [amo_complex_lead(self.settings, lead, contact)]
        status, answer, retry = await self._client.call(
            "POST", f"{self.settings.base_url}/api/v4/leads/complex", json=body,
            headers=self._auth)
        _raise_for(status, answer, retry, "leads/complex")
        if not isinstance(answer, list) or not answer or "id" not in answer[0]:
            raise CrmRefused("amocrm leads/complex answered without a lead id")
        made = answer[0]
        contact_id = made.get("contact_id") or contact
        return str(made["id"]), str(contact_id) if contact_id else None

    async def find_contact(self, phones: list[str], emails: list[str]) -> int | None:
        """The first contact found by one of the phones, else the e-mails."""
        for value in [*phones, *emails]:
            found = await self._get("/api/v4/contacts", {"query": value.lstrip("+")})
            contacts = (found or {}).get("_embedded", {}).get("contacts") or []
            if contacts:
                return int(contacts[0]["id"])
        return None

    async def _get(self, path: str, params: dict[str, str]) -> Any:
        status, body, retry = await self._client.call(
            "GET", f"{self.settings.base_url}{path}", params=params, headers=self._auth)
        if status == 204:
            return None  # amoCRM's "nothing found"
        _raise_for(status, body, retry, path)
        return body


def _raise_for(status: int, body: Any, retry: float | None, what: str) -> None:
    if status == 429:
        raise RateLimited(f"amocrm {what}: 429 too many requests", retry or 1.0)
    if status >= 500:
        raise CrmUnavailable(f"amocrm {what} answered {status}")
    if status >= 300:
        detail = body.get("title") or body.get("detail") if isinstance(body, dict) else ""
        raise CrmRefused(f"amocrm {what} answered {status} {detail or ''}".strip())
