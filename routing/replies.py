"""Replying to a lead's customer on the channel they last wrote on; shared by API and workspace."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.replies import ReplyContext, reply_context
from leads.errors import ReplyRefused
from leads.model import ReplyRoute, ReplySender, Sink, utcnow
from leads.replies import ReplyRefusal, choose_route
from routing.desk import LeadNotFound


@dataclass(frozen=True, slots=True)
class ReplyOption:
    """Whether a lead can be answered now, on which channel, or why not."""

    lead_id: int
    channel: str | None
    reason: str | None = None
    code: str | None = None

    @property
    def possible(self) -> bool:
        """True when a reply would be sent."""
        return self.channel is not None

    def as_json(self) -> dict[str, Any]:
        """The answer of `GET /api/leads/{id}/reply`."""
        return {"lead_id": self.lead_id, "can_reply": self.possible, "channel": self.channel,
                "error": self.code, "detail": self.reason}


class ReplyService:
    """`can_reply(lead)` and `reply(lead, text)`: the one way Leadgate answers customers.

    Senders are keyed `channel:account` (`telegram:main`, `whatsapp:main`, `sms:twilio`,
    `email:smtp`); each sent reply is recorded through intake as an outbound touch.
    """

    def __init__(self, engine: AsyncEngine, senders: Mapping[str, ReplySender],
                 sink: Sink, fallbacks: Mapping[str, str] | None = None) -> None:
        self._engine = engine
        self._senders = senders
        self._sink = sink
        self._fallbacks = dict(fallbacks or {})
        """Channel → account answering customers who only filled a form or called."""

    async def can_reply(self, lead_id: int) -> ReplyOption:
        """Which channel a reply to this lead would go out on, or why none can."""
        chosen = await self._route(await self._context(lead_id))
        if isinstance(chosen, ReplyRefusal):
            return ReplyOption(lead_id, None, chosen.detail, chosen.code)
        return ReplyOption(lead_id, chosen.channel)

    async def reply(self, lead_id: int, text: str, manager: str | None = None
                    ) -> dict[str, Any]:
        """Send `text` and record it; ReplyRefused (422), ChannelUnavailable (503)."""
        chosen = await self._route(await self._context(lead_id))
        if isinstance(chosen, ReplyRefusal):
            raise ReplyRefused(chosen.detail, chosen.code)
        event = await self._senders[chosen.sender_key].send_reply(chosen, text, manager)
        result = await self._sink(event)
        return {"lead_id": result.lead_id or lead_id, "touch_id": result.touch_id,
                "channel": chosen.channel, "external_id": event.external_id}

    async def about(self, lead_id: int) -> tuple[str | None, str]:
        """The customer's name and the text the lead opened with."""
        context = await self._context(lead_id)
        return context.customer_name, context.first_text

    async def lead_manager(self, lead_id: int) -> int | None:
        """The manager the lead is with (who may answer it); LeadNotFound if there is no lead."""
        return (await self._context(lead_id)).manager_id

    async def _context(self, lead_id: int) -> ReplyContext:
        async with self._engine.connect() as conn:
            context = await reply_context(conn, lead_id)
        if context is None:
            raise LeadNotFound(f"lead {lead_id} does not exist")
        return context

    async def _route(self, context: ReplyContext) -> ReplyRoute | ReplyRefusal:
        fallbacks = []
        for kind, value in context.identities:
            channel = {"email": "email", "phone": "sms"}.get(kind)
            if channel and channel in self._fallbacks:
                fallbacks.append(ReplyRoute(channel, self._fallbacks[channel], value))
        return choose_route(context.touches, fallbacks, self._senders.__contains__, utcnow())
