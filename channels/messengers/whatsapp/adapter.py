"""A WhatsApp Business number as a webhook channel (GET handshake, signed POSTs) and a sender."""

from __future__ import annotations

from collections import Counter
from typing import Any

from aiohttp import web

from channels.base import Sink
from channels.messengers.graph_api import GraphClient
from channels.messengers.meta_webhook import Parsed, webhook_routes
from channels.messengers.whatsapp.parse import outbound_event, parse_payload
from channels.messengers.whatsapp.settings import WhatsAppSettings
from leads.model import ContactEvent, ReplyRoute


class WhatsAppChannel:
    """`GET|POST /whatsapp/<name>`; `send_text` answers a customer through the Cloud API."""

    def __init__(self, settings: WhatsAppSettings) -> None:
        self.settings = settings
        self.name = f"whatsapp:{settings.name}"
        account = settings.account
        self.counters: Counter[str] = Counter()
        self._graph = GraphClient(account.api_base, account.access_token, account.app_secret)

    def routes(self, sink: Sink) -> list[web.AbstractRouteDef]:
        """The verify handshake and the message webhook."""
        account = self.settings.account
        return webhook_routes(account.path, account.verify_token, account.app_secret,
                              self.parse, sink, self.counters)

    def parse(self, payload: dict[str, Any], raw: bytes) -> list[Parsed]:
        """The payload's events (and what we ignore), read with this number's region."""
        account = self.settings.account
        return parse_payload(payload, raw, account.name, account.default_region)

    async def send_text(self, wa_id: str, text: str) -> str:
        """Send a text message to `wa_id`; the WhatsApp message id (raises like GraphClient)."""
        account = self.settings.account
        answer = await self._graph.post(
            f"{account.api_version}/{self.settings.phone_number_id}/messages",
            {"messaging_product": "whatsapp", "recipient_type": "individual",
             "to": wa_id.lstrip("+"), "type": "text",
             "text": {"preview_url": False, "body": text}},
        )
        messages = answer.get("messages") or [{}]
        return str(messages[0].get("id") or "")

    async def send_reply(self, route: ReplyRoute, text: str, manager: str | None) -> ContactEvent:
        """Answer a customer (ReplySender); the outbound event to record."""
        sent = await self.send_text(route.address, text)
        return outbound_event(self.settings.name, route.address, sent, text, manager)

    async def aclose(self) -> None:
        """Close the Graph API session."""
        await self._graph.aclose()
