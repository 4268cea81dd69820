"""A local server answering SMS send calls as Twilio, Plivo, Vonage, Infobip and a gateway do.

`requests` records each call (path, headers, form or JSON body); answers follow each
provider's documented success shape.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.support.loopback import LoopbackServer


@dataclass(frozen=True)
class SentRequest:
    """One send call as the provider received it."""

    path: str
    headers: dict[str, str]
    form: dict[str, str]
    json: Any


class SmsProvidersServer(LoopbackServer):
    """Every provider's send endpoint on one loopback port; an async context manager."""

    def __init__(self) -> None:
        self.requests: list[SentRequest] = []
        self._ids = itertools.count(1)

    async def handle(self, request: web.Request) -> web.Response:
        """Record the call; answer in the shape of the provider its path names."""
        is_json = request.content_type == "application/json"
        body = await request.json() if is_json else None
        form = {} if is_json else {k: str(v) for k, v in (await request.post()).items()}
        self.requests.append(SentRequest(request.path, dict(request.headers), form, body))
        number = next(self._ids)
        if request.path.endswith("/Messages.json"):
            return web.json_response({"sid": f"SM{number:032d}", "status": "queued"}, status=201)
        if "/Message/" in request.path:
            return web.json_response({"api_id": "a1", "message": "message(s) queued",
                                      "message_uuid": [f"plivo-{number}"]}, status=202)
        if request.path == "/sms/json":
            return web.json_response({"message-count": "1", "messages": [
                {"to": form.get("to"), "message-id": f"vonage-{number}", "status": "0"}]})
        if request.path == "/sms/2/text/advanced":
            return web.json_response({"bulkId": "b1", "messages": [
                {"messageId": f"infobip-{number}", "status": {"groupName": "PENDING"}}]})
        return web.json_response({"id": f"gateway-{number}"})
