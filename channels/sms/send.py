"""Replies by SMS through each provider's send API (or the generic gateway's send URL)."""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp

from channels.sms.outbound import OutboundSms
from channels.sms.parse import international
from channels.sms.send_requests import message_id, send_request
from channels.sms.send_settings import SendSettings
from leads.errors import ChannelUnavailable, InvalidEvent
from leads.model import ContactEvent, RawIdentity, ReplyRoute, utcnow


class SmsSender:
    """Sends through the provider the customer wrote to, from the number they wrote to."""

    def __init__(self, providers: Mapping[str, SendSettings], generic: OutboundSms | None = None,
                 timeout_seconds: float = 15.0) -> None:
        self._providers = dict(providers)
        self._generic = generic
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    def accounts(self) -> list[str]:
        """The providers replies can go through (`generic` is the `[sms.outbound]` URL)."""
        return [*self._providers, *(["generic"] if self._generic else [])]

    async def send_reply(self, route: ReplyRoute, text: str, manager: str | None) -> ContactEvent:
        """Send `text` to the route's phone; the outbound event to record."""
        answers = route.answers
        ours = str(answers.attribution.get("did", "")) if answers is not None else ""
        if route.account == "generic" and self._generic is not None:
            sent_id = await self._generic.send(route.address, text)
        else:
            settings = self._providers[route.account]
            sender = settings.sender or ours
            if not sender:
                raise InvalidEvent(f"[sms.{route.account}] needs `from` to start a conversation",
                                   "unreachable")
            sent_id = await self._post(settings, route.address, international(sender), text)
        return ContactEvent(
            channel="sms", external_id=f"{route.account}:{sent_id or utcnow().isoformat()}",
            occurred_at=utcnow(), identities=(RawIdentity("phone", route.address),), text=text,
            attribution={"provider": route.account}, direction="outbound",
            details={"provider": route.account, "manager": manager, "reply": True},
        )

    async def _post(self, settings: SendSettings, to: str, sender: str, text: str) -> str:
        request = send_request(settings, to, sender, text)
        try:
            async with aiohttp.ClientSession(timeout=self._timeout) as session, session.post(
                request.url, headers=request.headers, data=request.form, json=request.json
            ) as answer:
                status, body = answer.status, await answer.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as err:
            raise ChannelUnavailable(
                f"{settings.provider} is unreachable: {type(err).__name__}") from err
        if status >= 500 or status == 429:
            raise ChannelUnavailable(f"{settings.provider} answered {status}")
        try:
            return message_id(settings.provider, status, body)
        except ValueError as err:
            raise InvalidEvent(str(err), "refused") from err
