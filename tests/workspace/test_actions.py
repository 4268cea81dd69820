"""Call and Reply: shown only where a path exists, and handed to it as the logged-in manager."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.support.leadgate_http import LeadgateClient, running_leadgate
from tests.workspace.staff import OFFICE, browser, give_passwords
from workspace import WorkspaceDeps, build_workspace


@dataclass
class FakeOriginator:
    calls: list[tuple[str, str]] = field(default_factory=list)

    async def originate(self, extension: str, phone: str) -> str:
        self.calls.append((extension, phone))
        return "call-1"


@dataclass
class Option:
    possible: bool


@dataclass
class FakeReplier:
    possible: bool = True
    sent: list[tuple[int, str, str | None]] = field(default_factory=list)

    async def can_reply(self, lead_id: int) -> Option:
        return Option(self.possible)

    async def reply(self, lead_id: int, text: str, manager: str | None = None) -> Any:
        self.sent.append((lead_id, text, manager))
        return {"lead_id": lead_id}


@asynccontextmanager
async def workspace_with(lg: LeadgateClient, **paths: Any) -> AsyncIterator[LeadgateClient]:
    """The workspace of the running service, mounted alone with the given call/reply paths."""
    app = web.Application()
    app.add_subapp("/app/", build_workspace(WorkspaceDeps(lg.store.engine, lg.store.desk,
                                                          **paths)))
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield LeadgateClient(lg.session, str(server.make_url("")).rstrip("/"), lg.store)
    finally:
        await server.close()


async def test_call_rings_the_managers_extension_then_the_customers_phone(
    database_url: str,
) -> None:
    pbx = FakeOriginator()
    async with running_leadgate(database_url, **OFFICE) as lg:
        await give_passwords(lg)
        await lg.post_form("contact", {"name": "Sardor", "phone": "+998 90 111 22 33"})
        async with workspace_with(lg, originator=pbx) as ws, browser(ws) as b:
            await b.log_in("aziz")
            card = (await b.get("/app/leads/1"))[1]
            called = await b.post("/app/leads/1/call", {"phone": "+998901112233"})

    assert ">Call<" in card and ">Reply<" not in card
    assert called[2].headers["Location"] == "/app/leads/1?notice=called"
    assert pbx.calls == [("201", "+998901112233")]


async def test_reply_shows_where_the_customer_can_be_answered_and_sends_as_the_manager(
    database_url: str,
) -> None:
    replies, closed_path = FakeReplier(), FakeReplier(possible=False)
    async with running_leadgate(database_url, **OFFICE) as lg:
        await give_passwords(lg)
        await lg.post_form("contact", {"name": "Sardor", "phone": "+998 90 111 22 33"})
        async with workspace_with(lg, replier=replies) as ws, browser(ws) as b:
            await b.log_in("aziz")
            card = (await b.get("/app/leads/1"))[1]
            sent = await b.post("/app/leads/1/reply", {"text": "  Hello, Sardor!  "})
        async with workspace_with(lg, replier=closed_path) as ws, browser(ws) as b:
            await b.log_in("aziz")
            no_route = (await b.get("/app/leads/1"))[1]

    assert ">Reply<" in card and ">Call<" not in card
    assert sent[2].headers["Location"] == "/app/leads/1?notice=replied"
    assert replies.sent == [(1, "Hello, Sardor!", "manager:1")]
    assert ">Reply<" not in no_route
