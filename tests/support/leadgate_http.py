"""Runs the real Leadgate HTTP app on a loopback port for tests, with a small client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from leadgate.compose import Service, Store, bootstrap
from leadgate.compose.routing import RoutingServices
from leadgate.settings import Settings, check_keys

TEST_FORMS: dict[str, Any] = {
    "contact": {
        "name": "Contact",
        "default_region": "UZ",
        "thank_you_url": "https://example.uz/thanks",
    },
    "price": {"name": "Price request", "default_region": "RU"},
    "callback": {
        "name": "Callback",
        "default_region": "RU",
        "allowed_origins": ["https://shop.example"],
    },
    "lt": {"name": "Kontaktai", "default_region": "LT", "success_status": 200},
}


@dataclass
class Answer:
    """An HTTP answer: status, headers and the decoded JSON body (None if not JSON)."""

    status: int
    headers: Mapping[str, str]
    body: Any
    text: str


class LeadgateClient:
    """Posts to and reads from a running Leadgate app."""

    def __init__(self, session: aiohttp.ClientSession, base: str, store: Store,
                 service: Service | None = None) -> None:
        self.session = session
        self.base = base
        self.store = store
        self.services: RoutingServices | None = service.routing if service else None
        self.app: web.Application | None = service.app if service else None
        self.token: str | None = None

    async def request(self, method: str, path: str, **kwargs: Any) -> Answer:
        """Any request; JSON bodies decoded."""
        headers = dict(kwargs.pop("headers", {}) or {})
        if self.token and path.startswith("/api/"):
            headers.setdefault("Authorization", f"Bearer {self.token}")
        async with self.session.request(
            method, self.base + path, headers=headers, allow_redirects=False, **kwargs
        ) as response:
            text = await response.text(errors="replace")
            try:
                body = json.loads(text)
            except ValueError:
                body = None
            return Answer(response.status, response.headers, body, text)

    async def post_form(
        self,
        form: str,
        data: bytes | str | dict[str, Any],
        content_type: str | None = None,
        **kw: Any,
    ) -> Answer:
        """POST /forms/<form>: a dict goes as JSON unless a content type is given."""
        headers = dict(kw.pop("headers", {}) or {})
        if isinstance(data, dict) and content_type is None:
            return await self.request("POST", f"/forms/{form}", json=data, headers=headers, **kw)
        if content_type is not None:
            headers["Content-Type"] = content_type
        body = data.encode() if isinstance(data, str) else data
        return await self.request("POST", f"/forms/{form}", data=body, headers=headers, **kw)

    async def get(self, path: str, **kw: Any) -> Answer:
        """GET a path."""
        return await self.request("GET", path, **kw)


@asynccontextmanager
async def running_leadgate(
    database_url: str,
    webforms: Mapping[str, Any] | None = None,
    amqp_url: str | None = None,
    loops: bool | tuple[str, ...] = False,
    **toml: Any,
) -> AsyncIterator[LeadgateClient]:
    """The real store + the real aiohttp server on 127.0.0.1, and a client for it.

    With `loops`, the outbox relay, SLA timer and notifiers run too, as in `leadgate run`
    (a tuple names which of them: "outbox", "sla", "notifiers", "telegram:managers").
    """
    raw = {"forms": TEST_FORMS, "webforms": dict(webforms or {"rate_limit_per_minute": 0})} | toml
    check_keys(raw)  # every config a test uses is one `leadgate run` would accept
    settings = Settings(
        database_url=database_url, default_region="UZ", raw=raw, amqp_url=amqp_url,
        public_url=raw.get("public_url"), timezone=raw.get("timezone", "UTC"),
    )
    async with bootstrap(settings) as service:
        server = TestServer(service.app, host="127.0.0.1")
        await server.start_server()
        service.listening()

        def wanted(name: str) -> bool:
            return loops is True or bool(loops and name in loops)

        running = [asyncio.create_task(supervisor, name=name) for name, supervisor
                   in service.supervised(wanted, max_backoff=2.0).items()]
        try:
            async with aiohttp.ClientSession() as session:
                yield LeadgateClient(session, str(server.make_url("")).rstrip("/"),
                                     service.store, service)
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            await server.close()


@asynccontextmanager
async def opened_store(settings: Settings) -> AsyncIterator[Store]:
    """The store and intake of the service `bootstrap` builds, opened, with no server or loop."""
    async with bootstrap(settings) as service:
        yield service.store
