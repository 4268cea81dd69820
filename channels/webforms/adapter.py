"""The HTTP side of web forms: POST /forms/{form_key}, CORS, limits, and the snippet."""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import replace
from importlib import resources

from aiohttp import web

from channels.base import Sink, error_response
from channels.webforms.parse import (
    FormRejected,
    Submission,
    decode_body,
    is_spam,
    is_test_ping,
    to_event,
)
from channels.webforms.rate_limit import RateLimiter
from channels.webforms.settings import FormSettings, WebFormsSettings
from leads.errors import InvalidEvent, StoreUnavailable
from leads.model import ContactEvent, IntakeResult, utcnow

log = logging.getLogger(__name__)
_SNIPPET = resources.files("channels.webforms").joinpath("snippet.js").read_text("utf-8")
_CORS_HEADERS = "Content-Type, Accept, Idempotency-Key"


class WebFormsChannel:
    """Website forms as a webhook channel of the one aiohttp server."""

    name = "webform"

    def __init__(self, settings: WebFormsSettings, default_region: str | None = None) -> None:
        self.settings = settings
        self.default_region = default_region
        self.counters: Counter[str] = Counter()
        self._limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)

    def routes(self, sink: Sink) -> list[web.AbstractRouteDef]:
        """The form routes, bound to `sink`."""

        async def post(request: web.Request) -> web.StreamResponse:
            return await self._post(request, sink)

        return [
            web.get(r"/forms/{form_key:[A-Za-z0-9_-]+}.js", self._snippet),
            web.post("/forms/{form_key}", post),
            web.options("/forms/{form_key}", self._preflight),
        ]

    async def _post(self, request: web.Request, sink: Sink) -> web.StreamResponse:
        form = self.settings.forms.get(request.match_info["form_key"])
        try:
            if form is None:
                raise FormRejected(404, "unknown_form", "no form with this key is configured")
            response = await self._accept(request, form, sink)
        except FormRejected as rejected:
            self.counters[f"rejected_{rejected.code}"] += 1
            log.info("form post refused: %s %s", rejected.status, rejected.code)
            response = error_response(rejected.status, rejected.code, rejected.detail)
        if form is not None:
            _add_cors(response, form, request.headers.get("Origin"))
        return response

    async def _accept(self, request: web.Request, form: FormSettings, sink: Sink) -> web.Response:
        origin = request.headers.get("Origin")
        if not form.allows_origin(origin):
            raise FormRejected(403, "origin_not_allowed", "this site may not post to this form")
        if not self._limiter.allow(self._client(request)):
            raise FormRejected(429, "rate_limited", "too many submissions; try again in a minute")
        submission = await self._read(request, origin)
        if is_test_ping(submission.fields):
            return web.json_response({"ok": True, "test": True}, status=200)
        event = to_event(submission, form, utcnow(), self.default_region)
        if is_spam(submission.fields, form):
            self.counters["spam"] += 1
            event = _as_spam(event)
        result = await _store(sink, event)
        self.counters["accepted" if result.ignored is None else "ignored"] += 1
        return _success(request, form, result)

    async def _read(self, request: web.Request, origin: str | None) -> Submission:
        limit = self.settings.max_body_bytes
        if request.content_length is not None and request.content_length > limit:
            raise FormRejected(413, "too_large", f"the body is larger than {limit} bytes")
        body = await _read_limited(request, limit)
        fields = decode_body(request.headers.get("Content-Type", ""), body)
        return Submission(
            fields=fields,
            body=body,
            referrer=request.headers.get("Referer"),
            origin=origin,
            idempotency_key=request.headers.get("Idempotency-Key"),
        )

    def _client(self, request: web.Request) -> str:
        forwarded = request.headers.get("X-Forwarded-For")
        if self.settings.trust_forwarded_for and forwarded:
            return forwarded.split(",")[0].strip()
        return request.remote or "unknown"

    async def _preflight(self, request: web.Request) -> web.Response:
        form = self.settings.forms.get(request.match_info["form_key"])
        if form is None:
            return error_response(404, "unknown_form", "no form with this key is configured")
        response = web.Response(status=204)
        _add_cors(response, form, request.headers.get("Origin"))
        return response

    async def _snippet(self, request: web.Request) -> web.Response:
        key = request.match_info["form_key"]
        form = self.settings.forms.get(key)
        if form is None:
            return error_response(404, "unknown_form", "no form with this key is configured")
        endpoint = str(request.url.with_path(f"/forms/{key}").with_query(None))
        script = (
            _SNIPPET.replace("__ENDPOINT__", endpoint)
            .replace("__FORM_KEY__", key)
            .replace("__THANK_YOU__", json.dumps(form.thank_you_url))
        )
        return web.Response(text=script, content_type="application/javascript")


async def _store(sink: Sink, event: ContactEvent) -> IntakeResult:
    try:
        return await sink(event)
    except InvalidEvent as err:
        raise FormRejected(422, err.code, err.detail) from err
    except StoreUnavailable as err:
        raise FormRejected(
            503, "store_unavailable", "the lead store is unavailable; retry"
        ) from err


def _as_spam(event: ContactEvent) -> ContactEvent:
    return replace(event, ignored="spam: honeypot field filled")


def _success(request: web.Request, form: FormSettings, result: IntakeResult) -> web.Response:
    wants_html = "text/html" in request.headers.get("Accept", "")
    if wants_html and form.thank_you_url:
        raise web.HTTPSeeOther(form.thank_you_url)
    body = {
        "lead_id": result.lead_id,
        "customer_id": result.customer_id,
        "touch_id": result.touch_id,
        "deduplicated": result.deduplicated,
    }
    return web.json_response(body, status=form.success_status)


def _add_cors(response: web.StreamResponse, form: FormSettings, origin: str | None) -> None:
    if origin is None or not form.allows_origin(origin):
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Vary"] = "Origin"
    response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = _CORS_HEADERS
    response.headers["Access-Control-Max-Age"] = "600"


async def _read_limited(request: web.Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise FormRejected(413, "too_large", f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
