"""Local servers answering as Bitrix24's REST webhook and amoCRM's API v4 document.

Both keep what was created, record every call, can answer the next N calls with their
documented rate-limit answer (`limit_next`) and can lose the answer of the next create
(`lose_next_create`: the record is made, the caller gets a 500, as when a connection drops).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.loopback import LoopbackServer


@dataclass
class CrmCall:
    """One API call: its method (Bitrix24) or path (amoCRM) and parameters."""

    name: str
    params: Any


@dataclass
class _Fake(LoopbackServer):
    calls: list[CrmCall] = field(default_factory=list)
    contacts: dict[int, dict[str, Any]] = field(default_factory=dict)
    records: dict[int, dict[str, Any]] = field(default_factory=dict)
    limited: int = 0
    lose_create: int = 0

    def limit_next(self, calls: int) -> None:
        """Answer the next `calls` calls with the CRM's rate-limit answer."""
        self.limited = calls

    def lose_next_create(self) -> None:
        """Make the next record but answer 500, as if the answer was lost on the way."""
        self.lose_create = 1

    def add_contact(self, phones: list[str] = (), emails: list[str] = ()) -> int:  # type: ignore[assignment]
        """A contact the CRM already has."""
        contact = 100 + len(self.contacts) + 1
        self.contacts[contact] = {"phones": list(phones), "emails": list(emails)}
        return contact

    def find(self, value: str) -> int | None:
        digits = re.sub(r"\D", "", value)
        for contact, held in sorted(self.contacts.items()):
            if value in held["emails"] or (digits and any(
                    re.sub(r"\D", "", p) == digits for p in held["phones"])):
                return contact
        return None


class Bitrix24Server(_Fake):
    """`POST /rest/1/<secret>/<method>.json`; answers `{"result": ...}`."""

    ids = itertools.count(1)

    def route(self, app: web.Application) -> None:
        """The webhook's one path, a method per call."""
        app.router.add_post("/rest/1/webhook-secret/{method}.json", self.handle)

    @property
    def webhook_url(self) -> str:
        """The inbound webhook's URL, as Bitrix24 shows it, once the server runs."""
        return f"{self.base_url}/rest/1/webhook-secret/"

    async def handle(self, request: web.Request) -> web.Response:
        """Record the call and answer it as Bitrix24 does."""
        method, params = request.match_info["method"], await request.json()
        self.calls.append(CrmCall(method, params))
        if self.limited:
            self.limited -= 1
            return web.json_response({"error": "QUERY_LIMIT_EXCEEDED",
                                      "error_description": "Too many requests"}, status=503)
        if method == "crm.duplicate.findbycomm":
            found = {self.find(v) for v in params["values"]} - {None}
            return web.json_response({"result": {"CONTACT": sorted(found)} if found else []})
        if method in ("crm.lead.list", "crm.deal.list"):
            origin = params["filter"]["ORIGIN_ID"]
            hits = [{"ID": str(i), "CONTACT_ID": r.get("CONTACT_ID")}
                    for i, r in self.records.items() if r.get("ORIGIN_ID") == origin]
            return web.json_response({"result": hits, "total": len(hits)})
        if method == "crm.contact.add":
            fields = params["fields"]
            return web.json_response({"result": self.add_contact(
                [p["VALUE"] for p in fields.get("PHONE", [])],
                [e["VALUE"] for e in fields.get("EMAIL", [])])})
        if method in ("crm.lead.add", "crm.deal.add"):
            record = 500 + len(self.records) + 1
            self.records[record] = {**params["fields"], "entity": method.split(".")[1]}
            if self.lose_create:
                self.lose_create = 0
                return web.json_response({"error": "lost"}, status=500)
            return web.json_response({"result": record})
        return web.json_response({"error": "ERROR_METHOD_NOT_FOUND"}, status=404)


class AmoCrmServer(_Fake):
    """`/api/v4/contacts`, `/api/v4/leads`, `/api/v4/leads/complex` behind a bearer token."""

    token = "amo-long-lived-token"

    def route(self, app: web.Application) -> None:
        """The three endpoints Leadgate calls."""
        app.router.add_get("/api/v4/contacts", self._contacts)
        app.router.add_get("/api/v4/leads", self._leads)
        app.router.add_post("/api/v4/leads/complex", self._complex)

    def _refusal(self, request: web.Request, params: Any) -> web.Response | None:
        self.calls.append(CrmCall(request.path, params))
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"title": "Unauthorized", "status": 401}, status=401)
        if self.limited:
            self.limited -= 1
            return web.Response(status=429)
        return None

    async def _contacts(self, request: web.Request) -> web.Response:
        refused = self._refusal(request, dict(request.query))
        if refused is not None:
            return refused
        contact = self.find(request.query.get("query", ""))
        if contact is None:
            return web.Response(status=204)
        return web.json_response({"_embedded": {"contacts": [{"id": contact}]}})

    async def _leads(self, request: web.Request) -> web.Response:
        refused = self._refusal(request, dict(request.query))
        if refused is not None:
            return refused
        query = request.query.get("query", "")
        hits = [{"id": i, "name": r["name"], "_embedded": {"contacts": [{"id": r["contact"]}]}}
                for i, r in self.records.items() if query and query in r["name"]]
        if not hits:
            return web.Response(status=204)
        return web.json_response({"_embedded": {"leads": hits}})

    async def _complex(self, request: web.Request) -> web.Response:
        body = await request.json()
        refused = self._refusal(request, body)
        if refused is not None:
            return refused
        made = []
        for lead in body:
            contact = lead["_embedded"]["contacts"][0]
            if "id" not in contact:
                values = {f["field_code"]: [v["value"] for v in f["values"]]
                          for f in contact.get("custom_fields_values", [])}
                contact = {"id": self.add_contact(values.get("PHONE", []),
                                                  values.get("EMAIL", []))}
            record = 9000 + len(self.records) + 1
            self.records[record] = {**lead, "contact": contact["id"]}
            made.append({"id": record, "contact_id": contact["id"], "company_id": None,
                         "request_id": ["0"], "merged": False})
        if self.lose_create:
            self.lose_create = 0
            return web.json_response({"title": "Internal error"}, status=500)
        return web.json_response(made)
