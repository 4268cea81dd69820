"""An Instagram account as a webhook channel (GET handshake, signed POSTs) and a sender."""

from __future__ import annotations

from collections import Counter
from typing import Any

from aiohttp import web

from channels.base import Sink
from channels.messengers.graph_api import GraphClient
from channels.messengers.instagram.parse import outbound_event, parse_payload
from channels.messengers.meta_settings import MetaAccount
from channels.messengers.meta_webhook import Parsed, webhook_routes
from leads.model import ContactEvent, ReplyRoute


class InstagramChannel:
    """`GET|POST /instagram/<name>`; `send_text` answers a customer in Direct."""

    def __init__(self, account: MetaAccount) -> None:
        self.account = account
        self.name = f"instagram:{account.name}"
        self.counters: Counter[str] = Counter()
        self._graph = GraphClient(account.api_base, account.access_token, account.app_secret)

    def routes(self, sink: Sink) -> list[web.AbstractRouteDef]:
        """The verify handshake and the message webhook."""
        account = self.account
        return webhook_routes(account.path, account.verify_token, account.app_secret,
                              self.parse, sink, self.counters)

    def parse(self, payload: dict[str, Any], raw: bytes) -> list[Parsed]:
        """The payload's events (and what we ignore), read with this account's region."""
        return parse_payload(payload, raw, self.account.name, self.account.default_region)

    async def send_text(self, igsid: str, text: str) -> str:
        """Send a text to the Instagram-scoped user id; Instagram's message id."""
        answer = await self._graph.post(
            f"{self.account.api_version}/me/messages",
            {"recipient": {"id": igsid}, "message": {"text": text}},
        )
        return str(answer.get("message_id") or "")

    async def send_reply(self, route: ReplyRoute, text: str, manager: str | None) -> ContactEvent:
        """Answer a customer (ReplySender); the outbound event to record."""
        sent = await self.send_text(route.address, text)
        return outbound_event(self.account.name, route.address, sent, text, manager)

    async def aclose(self) -> None:
        """Close the Graph API session."""
        await self._graph.aclose()
