"""The edge Meta's webhooks share (WhatsApp, Instagram): verify handshake, signature, body limit."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from channels.base import Sink, error_response
from channels.webhook import read_body, refusal, store_unavailable
from leads.clean import clean_json
from leads.errors import InvalidEvent, Malformed, Refused, StoreUnavailable
from leads.model import ContactEvent

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Ignored:
    """A webhook item we know and do not turn into a lead (delivery status, echo, read)."""

    reason: str


Parsed = ContactEvent | Ignored
Parser = Callable[[dict[str, Any], bytes], Sequence[Parsed]]


def signature_valid(app_secret: str, body: bytes, header: str) -> bool:
    """`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>`."""
    if not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header[7:].strip().lower(), expected)


def handshake(request: web.Request, verify_token: str) -> web.Response:
    """Answer the subscription check: the challenge as text, 403 on a wrong verify token."""
    query = request.query
    given = query.get("hub.verify_token", "")
    if query.get("hub.mode") != "subscribe" or not hmac.compare_digest(
        given.encode(), verify_token.encode()
    ):
        return error_response(403, "bad_verify_token", "hub.mode or hub.verify_token is wrong")
    return web.Response(text=query.get("hub.challenge", ""), content_type="text/plain")


async def receive(
    request: web.Request, app_secret: str, parse: Parser, sink: Sink, counters: dict[str, int]
) -> web.Response:
    """Check, parse and store one POST; 403 forged, 400 malformed, 503 when the store is down."""
    try:
        body = await read_body(request, MAX_BODY_BYTES)
        if not signature_valid(app_secret, body, request.headers.get(SIGNATURE_HEADER, "")):
            counters["forged"] = counters.get("forged", 0) + 1
            raise Refused(403, "bad_signature", "X-Hub-Signature-256 does not match the body")
        items = _parsed(parse, body)
        for item in items:
            outcome = "ignored" if isinstance(item, Ignored) else await _store(item, sink)
            counters[outcome] = counters.get(outcome, 0) + 1
    except Refused as refused:
        return refusal(refused)
    return web.json_response({"ok": True})


def _parsed(parse: Parser, body: bytes) -> Sequence[Parsed]:
    try:
        payload = clean_json(json.loads(body))
        if not isinstance(payload, dict):
            raise Malformed("the body must be a JSON object")
        return parse(payload, body)
    except (ValueError, UnicodeDecodeError, RecursionError, TypeError, AttributeError) as err:
        raise Malformed(str(err)[:200] or "not a payload of this webhook") from err


async def _store(event: ContactEvent, sink: Sink) -> str:
    try:
        result = await sink(event)
    except StoreUnavailable as err:
        raise store_unavailable() from err
    except InvalidEvent as err:
        # Meta retries anything but 200 for days: an unusable message is dropped, not refused.
        log.info("%s message refused: %s", event.channel, err.code)
        return "refused"
    return "accepted" if result.ignored is None else "ignored"


def webhook_routes(
    path: str, verify_token: str, app_secret: str, parse: Parser, sink: Sink,
    counters: dict[str, int],
) -> list[web.AbstractRouteDef]:
    """`GET path` (the subscription handshake) and `POST path` (signed updates)."""

    async def get(request: web.Request) -> web.Response:
        return handshake(request, verify_token)

    async def post(request: web.Request) -> web.Response:
        return await receive(request, app_secret, parse, sink, counters)

    return [web.get(path, get), web.post(path, post)]
