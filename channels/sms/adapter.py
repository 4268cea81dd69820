"""The HTTP side of SMS gateways: POST /sms/{provider}, signatures, parts, and auto-replies."""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from urllib.parse import parse_qsl

from aiohttp import web

from channels.acknowledgement import AcknowledgedLeads, manager_of, render_ack
from channels.base import CursorStore, Sink
from channels.sms.concat import ConcatAssembler
from channels.sms.formats import parse
from channels.sms.outbound import OutboundSms
from channels.sms.parse import (
    Ignored,
    InboundSms,
    decode_body,
    international,
    to_event,
)
from channels.sms.replay import ReplayGuard
from channels.sms.settings import ProviderSettings, SmsSettings
from channels.sms.signatures import plivo_v3_valid, twilio_valid, vonage_valid
from channels.webhook import read_body, refusal, submit
from leads.errors import ChannelUnavailable, Refused
from leads.model import IntakeResult

log = logging.getLogger(__name__)
_TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class SmsChannel:
    """SMS gateways as a webhook channel of the one aiohttp server."""

    name = "sms"

    def __init__(
        self, settings: SmsSettings, cursors: CursorStore, default_region: str | None = None,
        acks: AcknowledgedLeads | None = None,
    ) -> None:
        self.settings = settings
        self.default_region = default_region
        self._concat = ConcatAssembler(cursors)
        self._outbound = OutboundSms(settings.outbound) if settings.outbound else None
        self._acks = acks or AcknowledgedLeads()
        self._replays = ReplayGuard()
        self._replies: set[asyncio.Task[None]] = set()

    def routes(self, sink: Sink) -> list[web.AbstractRouteDef]:
        """`POST /sms/{provider}` bound to `sink`."""

        async def post(request: web.Request) -> web.Response:
            return await self._post(request, sink)

        return [web.post("/sms/{provider}", post)]

    async def aclose(self) -> None:
        """Let pending auto-replies finish, then close the outbound session."""
        if self._replies:
            await asyncio.wait(self._replies, timeout=10)
        if self._outbound is not None:
            await self._outbound.aclose()

    async def _post(self, request: web.Request, sink: Sink) -> web.Response:
        provider = self.settings.providers.get(request.match_info["provider"])
        try:
            if provider is None:
                raise Refused(404, "unknown_provider", "no SMS provider with this name is set up")
            body = await read_body(request, self.settings.max_body_bytes)
            fields = decode_body(request.content_type, body)
            if not self._authentic(provider, request, body, fields):
                raise Refused(403, "bad_signature", "the request signature does not match")
            self._refuse_replay(provider, request, fields)
            for item in parse(provider.name, fields):
                await self._take(item, provider, sink, body)
        except Refused as refused:
            log.info("sms post refused: %s %s", refused.status, refused.code)
            return refusal(refused)
        if provider.name == "twilio":
            return web.Response(text=_TWIML_EMPTY, content_type="text/xml")
        return web.json_response({"ok": True})

    def _authentic(
        self,
        provider: ProviderSettings,
        request: web.Request,
        body: bytes,
        fields: dict[str, object],
    ) -> bool:
        secret = provider.secret
        if secret is None:
            return True  # only Vonage may run unsigned
        signed_url = f"{self.settings.public_url}{request.path_qs}"
        if provider.name == "twilio":
            pairs = parse_qsl(body.decode(errors="replace"), keep_blank_values=True)
            given = request.headers.get("X-Twilio-Signature", "")
            return bool(given) and twilio_valid(secret, signed_url, pairs, given)
        if provider.name == "plivo":
            pairs = parse_qsl(body.decode(errors="replace"), keep_blank_values=True)
            nonce = request.headers.get("X-Plivo-Signature-V3-Nonce", "")
            given = request.headers.get("X-Plivo-Signature-V3", "")
            return bool(nonce and given) and plivo_v3_valid(secret, signed_url, nonce, pairs, given)
        if provider.name == "vonage":
            return vonage_valid(
                secret, {k: str(v) for k, v in fields.items()}, provider.signature_method
            )
        if provider.name == "infobip":
            return _same(request.query.get("secret", ""), secret)
        return _same(request.headers.get("Authorization", ""), f"Bearer {secret}")

    def _refuse_replay(self, provider: ProviderSettings, request: web.Request,
                       fields: dict[str, object]) -> None:
        now = time.time()
        if provider.name == "plivo" and provider.secret is not None:
            nonce = request.headers.get("X-Plivo-Signature-V3-Nonce", "")
            if not self._replays.first_use(nonce, now):
                raise Refused(403, "replayed", "this signed request was received before")
        fresh = self._replays.recent(fields.get("timestamp"), now)
        if provider.name == "vonage" and provider.secret is not None and not fresh:
            raise Refused(403, "stale_signature",
                              "the signed timestamp is missing or outside the replay window")

    async def _take(
        self, item: InboundSms | Ignored, provider: ProviderSettings, sink: Sink, raw: bytes
    ) -> None:
        if isinstance(item, Ignored):
            log.debug("sms request ignored: %s", item.reason)
            return

        async def deliver(sms: InboundSms) -> None:
            region = provider.default_region or self.default_region
            event = to_event(sms, region, raw if sms is item else None)
            await self._acknowledge(sms, await submit(sink, event))

        if item.part is not None and item.part.total > 1:
            await self._concat.add(item, deliver)
        else:
            await deliver(item)

    async def _acknowledge(self, sms: InboundSms, result: IntakeResult) -> None:
        template, outbound = self.settings.ack_template, self._outbound
        if template is None or outbound is None or not await self._acks.first_time(result):
            return
        text = render_ack(template, None, manager_of(result))
        # The provider gets its answer now; the reply must not hold up or fail the webhook.
        task = asyncio.create_task(_reply(outbound, international(sms.sender), text))
        self._replies.add(task)
        task.add_done_callback(self._replies.discard)


async def _reply(outbound: OutboundSms, to: str, text: str) -> None:
    try:
        await outbound.send(to, text)
    except ChannelUnavailable as err:
        log.warning("sms auto-reply not sent: %s", err)


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
