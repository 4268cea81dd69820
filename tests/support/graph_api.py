"""A local Graph API server for tests: answers WhatsApp and Instagram sends as Meta documents.

Usage::

    async with GraphTestServer() as graph:
        ...  # point `api_base` at graph.base_url
        call = await graph.wait_for_call("/messages")
        assert call.body["to"] == "998901234567"

`calls` records every request (path, query, headers, JSON body); `fail(suffix, status, code,
message)` makes later calls whose path ends with `suffix` answer a Graph error.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.support.loopback import RecordingServer


@dataclass(frozen=True)
class GraphCall:
    """One request as received."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any]


class GraphTestServer(RecordingServer[GraphCall]):
    """A Graph API on 127.0.0.1 with a free port; use as an async context manager."""

    def __init__(self) -> None:
        super().__init__()
        self._errors: dict[str, tuple[int, int, str]] = {}
        self._ids = itertools.count(1)

    def fail(self, suffix: str, status: int, code: int, message: str) -> None:
        """Answer later calls to paths ending with `suffix` with this Graph error."""
        self._errors[suffix] = (status, code, message)

    async def wait_for_call(self, suffix: str, within: float = 5.0) -> GraphCall:
        """The first call whose path ends with `suffix`, waiting up to `within` seconds."""
        return await self.wait_for(lambda call: call.path.endswith(suffix), within)

    async def handle(self, request: web.Request) -> web.Response:
        """Record the call; answer its Graph error, or a send's documented success."""
        body = await request.json() if request.can_read_body else {}
        await self.record(GraphCall(request.path, dict(request.query), dict(request.headers), body))
        for suffix, (status, code, message) in self._errors.items():
            if request.path.endswith(suffix):
                error = {"message": message, "type": "OAuthException", "code": code,
                         "fbtrace_id": "AbCdEf"}
                return web.json_response({"error": error}, status=status)
        number = next(self._ids)
        if "recipient" in body:  # Instagram
            return web.json_response({"recipient_id": body["recipient"]["id"],
                                      "message_id": f"aWdfZAG1fOUT{number}"})
        return web.json_response({
            "messaging_product": "whatsapp",
            "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
            "messages": [{"id": f"wamid.OUT{number}"}],
        })
