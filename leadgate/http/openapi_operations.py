"""What the router cannot tell about each public operation: parameters, bodies and answers."""

from __future__ import annotations

from typing import Any

from leadgate.http.openapi_hygiene import HYGIENE
from leadgate.http.openapi_parts import (
    ID,
    LEAD_ACTION,
    OBJECT,
    REPORTS,
    answer,
    errors,
    form_body,
    json_body,
    query,
    report,
)

_OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/forms/{form_key}"): {
        "summary": "Public intake of a website form (JSON, urlencoded or multipart).",
        "requestBody": form_body(),
        "responses": {
            "201": answer("stored", {"application/json": {
                "schema": {"$ref": "#/components/schemas/IntakeAnswer"}}}),
            "200": answer("stored (forms set to success_status 200)", OBJECT),
            "303": answer("stored; a browser is sent to the thank-you page"),
            **errors(400, 403, 404, 413, 415, 422, 429, 503),
        },
    },
    ("options", "/forms/{form_key}"): {
        "summary": "CORS preflight for a form's allowed origins.",
        "responses": {"204": answer("allowed"), **errors(403, 404)},
    },
    ("get", "/forms/{form_key}.js"): {
        "summary": "The embeddable snippet that posts the page's form to Leadgate.",
        "responses": {"200": answer("JavaScript", {"application/javascript": {
            "schema": {"type": "string"}}}), **errors(404)},
    },
    ("post", "/sms/{provider}"): {
        "summary": "An SMS gateway's inbound-message webhook (signature checked per provider).",
        "requestBody": {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}}}},
        "responses": {"200": answer("taken (or known and ignored)"),
                      **errors(400, 403, 404, 413, 422, 503)},
    },
    ("get", "/api/customers"): {
        "parameters": [query("phone", {"type": "string"}, "any written form"),
                       query("email", {"type": "string"}),
                       query("region", {"type": "string", "pattern": "^[A-Z]{2}$"})],
        "responses": {"200": answer("the card", OBJECT), **errors(400, 401, 404)},
    },
    ("get", "/api/customers/{customer_id}"): {
        "responses": {"200": answer("the card", OBJECT), **errors(400, 401, 404)},
    },
    ("get", "/api/leads"): {
        "parameters": [
            query("status", {"type": "string"}), query("channel", {"type": "string"}),
            query("manager_id", ID), query("limit", {"type": "integer", "minimum": 1,
                                                        "maximum": 500}),
            query("offset", ID),
            query("callback", {"type": "string", "enum": ["due"]},
                   "only open leads whose callback is due")],
        "responses": {"200": answer("a page of leads", OBJECT), **errors(400, 401)},
    },
    ("get", "/api/leads/{lead_id}"): {
        "responses": {"200": answer("the lead", OBJECT), **errors(400, 401, 404)},
    },
    ("post", "/api/leads/{lead_id}/accept"): {
        "requestBody": json_body({"manager_id": ID}), "responses": LEAD_ACTION,
    },
    ("post", "/api/leads/{lead_id}/pass"): {
        "requestBody": json_body({"manager_id": ID}), "responses": LEAD_ACTION,
    },
    ("post", "/api/leads/{lead_id}/close"): {
        "requestBody": json_body({"status": {"type": "string",
                                              "enum": ["won", "lost", "spam"]},
                                   "ban": {"type": "boolean"}}, ["status"]),
        "responses": LEAD_ACTION,
    },
    **HYGIENE,
    ("get", "/api/leads/{lead_id}/reply"): {
        "summary": "Whether the lead's customer can be answered now, and on which channel.",
        "responses": {"200": answer("can_reply, channel, or the reason not", OBJECT),
                      **errors(400, 401, 404, 503)},
    },
    ("post", "/api/leads/{lead_id}/reply"): {
        "summary": "Answer the customer on the channel they last wrote on; an outbound touch.",
        "requestBody": json_body({"text": {"type": "string", "minLength": 1,
                                            "maxLength": 4096}}, ["text"]),
        "responses": {"201": answer("sent and recorded", OBJECT),
                      **errors(400, 401, 404, 422, 503)},
    },
    ("post", "/api/calls"): {
        "requestBody": json_body({"manager_id": ID, "phone": {"type": "string"}},
                                  ["phone"]),
        "responses": {"202": answer("dialling", OBJECT),
                      **errors(400, 401, 403, 404, 422, 503)},
    },
    ("get", "/api/route/call"): {
        "parameters": [query("caller", {"type": "string"}),
                       query("region", {"type": "string", "pattern": "^[A-Z]{2}$"})],
        "responses": {"200": answer("the owner's extension, or empty", {
            "text/plain": {"schema": {"type": "string"}}}), **errors(400, 401, 403)},
    },
    **{("get", f"/api/reports/{name}"): report(summary, extra)
       for name, summary, extra in REPORTS},
    ("get", "/api/calls/{touch_id}/recording"): {
        "parameters": [{"name": "Range", "in": "header", "required": False,
                        "schema": {"type": "string"}}],
        "responses": {"200": answer("the recording", {"audio/*": {"schema": {
                          "type": "string", "format": "binary"}}}),
                      "206": answer("the requested byte range"),
                      "302": answer("at the recordings server (recordings_url)"),
                      **errors(401, 404)},
    },
    ("get", "/healthz"): {
        "summary": "Channels (under `channels`) and loops (under `loops`: relay, SLA timer, "
                   "notifiers, integrations) with their state; 503 when the database is "
                   "unreachable.",
        "responses": {"200": answer("serving", OBJECT), "503": answer("degraded", OBJECT)},
    },
    ("get", "/metrics"): {
        "summary": "Prometheus metrics in the text exposition format.",
        "responses": {"200": answer("metrics", {"text/plain": {"schema": {"type": "string"}}})},
    },
    ("get", "/api/openapi.json"): {
        "summary": "This document.",
        "responses": {"200": answer("OpenAPI 3.1", OBJECT)},
    },
}


# Webhooks whose path carries a configured name (a bot, an account): described by prefix.
_BY_PREFIX: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/telegram/"): {
        "summary": "A customer-facing Telegram bot's webhook (X-Telegram-Bot-Api-Secret-Token).",
        "requestBody": json_body({"update_id": {"type": "integer"}}, ["update_id"]),
        "responses": {"200": answer("taken (or known and ignored)", OBJECT),
                      **errors(400, 401, 413, 503)},
    },
    **{("get", f"/{kind}/"): {
        "summary": f"The {kind} webhook's subscription check: hub.challenge back as text.",
        "parameters": [query("hub.mode", {"type": "string"}),
                       query("hub.verify_token", {"type": "string"}),
                       query("hub.challenge", {"type": "string"})],
        "responses": {"200": answer("the challenge", {
            "text/plain": {"schema": {"type": "string"}}}), **errors(403)},
    } for kind in ("whatsapp", "instagram")},
    **{("post", f"/{kind}/"): {
        "summary": f"The {kind} webhook (X-Hub-Signature-256 of the body with the app secret).",
        "requestBody": json_body({"object": {"type": "string"}, "entry": {"type": "array"}},
                                  ["object", "entry"]),
        "responses": {"200": answer("taken (or known and ignored)", OBJECT),
                      **errors(400, 403, 413, 503)},
    } for kind in ("whatsapp", "instagram")},
}


def described(method: str, path: str) -> dict[str, Any]:
    """What is written here about one operation (empty when nothing is)."""
    if (method, path) in _OPERATIONS:
        return _OPERATIONS[(method, path)]
    for (prefix_method, prefix), operation in _BY_PREFIX.items():
        if method == prefix_method and path.startswith(prefix) and "{" not in path:
            return operation
    return {}


def described_operations() -> set[tuple[str, str]]:
    """Every (method, path) this table describes."""
    return set(_OPERATIONS)
