"""The HTTP side of web forms: POST /forms/{form_key}, CORS, limits, and the snippet."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from dataclasses import replace
from importlib import resources

from aiohttp import web

from channels.base import Sink, error_response
from channels.webforms.parse import (
    Submission,
    decode_body,
    is_spam,
    is_test_ping,
    to_event,
)
from channels.webforms.rate_limit import RateLimiter
from channels.webforms.settings import FormSettings, WebFormsSettings
from channels.webforms.spam import STAMP_FIELD, DecoyIds, FillStamps, filled_too_fast
from channels.webhook import read_body, refusal, submit
from leads.errors import Refused
from leads.model import IntakeResult, utcnow

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
        self._stamps = FillStamps(settings.stamp_secret)
        self._decoys = DecoyIds()

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
                raise Refused(404, "unknown_form", "no form with this key is configured")
            response = await self._accept(request, form, sink)
        except Refused as refused:
            self.counters[f"rejected_{refused.code}"] += 1
            log.info("form post refused: %s %s", refused.status, refused.code)
            response = refusal(refused)
        if form is not None:
            _add_cors(response, form, request.headers.get("Origin"))
        return response

    async def _accept(self, request: web.Request, form: FormSettings, sink: Sink) -> web.Response:
        origin = request.headers.get("Origin")
        if not form.allows_origin(origin):
            raise Refused(403, "origin_not_allowed", "this site may not post to this form")
        client = self._client(request)
        if not self._limiter.allow(client):
            raise Refused(429, "rate_limited", "too many submissions; try again in a minute")
        submission = await self._read(request, origin, client)
        if is_test_ping(submission.fields):
            return web.json_response({"ok": True, "test": True}, status=200)
        stamp = submission.fields.get(STAMP_FIELD)
        if stamp is not None:  # the stamp is ours, not the visitor's
            fields = {k: v for k, v in submission.fields.items() if k != STAMP_FIELD}
            submission = replace(submission, fields=fields)
        event = to_event(submission, form, utcnow(), self.default_region)
        why = self._spam_reason(submission, form, stamp)
        if why is not None:
            self.counters["spam"] += 1
            event = replace(event, ignored=f"spam: {why}")
        result = await submit(sink, event)
        outcome = "quarantined" if result.quarantined else "ignored" if result.ignored else None
        self.counters[outcome or "accepted"] += 1
        if why is None and result.quarantined is None:
            self._decoys.saw(result)
        else:
            result = self._decoys.next()  # a bot or banned sender is answered as if it got in
        return _success(request, form, result)

    def _spam_reason(self, submission: Submission, form: FormSettings,
                     stamp: str | None) -> str | None:
        if is_spam(submission.fields, form):
            return "honeypot field filled"
        if filled_too_fast(self._stamps, form.key, stamp, form.min_fill_seconds, time.time()):
            return f"sent sooner than {form.min_fill_seconds:g} s after the form was shown"
        return None

    async def _read(self, request: web.Request, origin: str | None, client: str) -> Submission:
        body = await read_body(request, self.settings.max_body_bytes)
        headers = request.headers
        fields = decode_body(headers.get("Content-Type", ""), body)
        return Submission(fields, body, headers.get("Referer"), origin,
                          headers.get("Idempotency-Key"), client)

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
        script = (
            _SNIPPET.replace("__ENDPOINT__", f"{self._origin(request)}/forms/{key}")
            .replace("__FORM_KEY__", key)
            .replace("__THANK_YOU__", json.dumps(form.thank_you_url))
            .replace("__STAMP__", json.dumps(self._stamps.issue(key, time.time())))
        )
        # The stamp is the time the page showed the form: a cached snippet would carry an old one.
        return web.Response(text=script, content_type="application/javascript",
                            headers={"Cache-Control": "no-store"})

    def _origin(self, request: web.Request) -> str:
        """Where browsers reach us: public_url, else what the proxy says, else the request."""
        if self.settings.public_url:
            return self.settings.public_url
        scheme, host = request.scheme, request.host
        if self.settings.trust_forwarded_for:
            scheme = request.headers.get("X-Forwarded-Proto", scheme).split(",")[0].strip()
            host = request.headers.get("X-Forwarded-Host", host).split(",")[0].strip()
        return f"{scheme}://{host}"


def _success(request: web.Request, form: FormSettings, result: IntakeResult) -> web.Response:
    wants_html = "text/html" in request.headers.get("Accept", "")
    if wants_html and form.thank_you_url:
        raise web.HTTPSeeOther(form.thank_you_url)
    # What json.dumps writes for these four values, byte for byte, without running the encoder.
    body = (f'{{"lead_id": {_number(result.lead_id)}, "customer_id": '
            f'{_number(result.customer_id)}, "touch_id": {_number(result.touch_id)}, '
            f'"deduplicated": {"true" if result.deduplicated else "false"}}}')
    return web.Response(body=body.encode(), status=form.success_status,
                        content_type="application/json", charset="utf-8")


def _number(value: int | None) -> str:
    return "null" if value is None else str(int(value))


def _add_cors(response: web.StreamResponse, form: FormSettings, origin: str | None) -> None:
    if origin is None or not form.allows_origin(origin):
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Vary"] = "Origin"
    response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = _CORS_HEADERS
    response.headers["Access-Control-Max-Age"] = "600"

