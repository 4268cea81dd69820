"""What the router cannot tell about each public operation: parameters, bodies and answers."""

from __future__ import annotations

from typing import Any

API_VERSION = "1"

_ERROR = {"$ref": "#/components/schemas/Error"}
_JSON_ERROR = {"application/json": {"schema": _ERROR}}
_OBJECT = {"application/json": {"schema": {"type": "object"}}}


def _answer(description: str, content: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, **({"content": content} if content else {})}


def _errors(*statuses: int) -> dict[str, Any]:
    reasons = {400: "malformed request", 401: "no valid token", 403: "refused",
               404: "not found", 409: "the state does not allow it", 413: "body too large",
               415: "unsupported content type", 422: "no usable contact or bad field",
               429: "rate limited", 503: "store unavailable, retry"}
    return {str(status): _answer(reasons[status], _JSON_ERROR) for status in statuses}


COMPONENTS: dict[str, Any] = {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "schemas": {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {"error": {"type": "string"}, "detail": {"type": "string"}},
        },
        "IntakeAnswer": {
            "type": "object",
            "properties": {
                "lead_id": {"type": ["integer", "null"]},
                "customer_id": {"type": ["integer", "null"]},
                "touch_id": {"type": ["integer", "null"]},
                "deduplicated": {"type": "boolean"},
            },
        },
        "FormFields": {
            "type": "object",
            "description": "Known fields plus site-builder aliases (Tilda, Elementor, CF7).",
            "properties": {
                name: {"type": "string"}
                for name in ("name", "phone", "email", "message", "page_url", "referrer",
                             "utm_source", "utm_medium", "utm_campaign", "utm_content",
                             "utm_term", "submission_id")
            },
            "additionalProperties": True,
        },
    },
}

_ID = {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}
_PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "lead_id": _ID, "customer_id": _ID, "touch_id": _ID, "merge_id": _ID, "other_id": _ID,
    "ban_id": _ID, "quarantine_id": _ID,
    "form_key": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
    "provider": {"type": "string",
                 "enum": ["twilio", "vonage", "plivo", "infobip", "generic"]},
}


def _query(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            **({"description": description} if description else {})}


def _form_body() -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/FormFields"}
    return {"required": True, "content": {
        "application/json": {"schema": schema},
        "application/x-www-form-urlencoded": {"schema": schema},
        "multipart/form-data": {"schema": schema},
    }}


def _json_body(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {"required": bool(required), "content": {"application/json": {"schema": schema}}}


_DAY = {"type": "string", "format": "date"}
_REPORTS: tuple[tuple[str, str, list[dict[str, Any]]], ...] = (
    ("funnel", "Leads by source, channel, form, dialed number, manager or team: counts, "
     "median and 90th percentile seconds to accept and to contact.",
     [_query("by", {"type": "string",
                    "enum": ["source", "channel", "form", "did", "manager", "team"]})]),
    ("missed_calls", "Missed calls called back, in time, median time, never.", []),
    ("volume", "Leads per day, hour of the day and day of the week.", []),
    ("response_times", "Leads accepted and contacted within each response-time bucket.", []),
)


def _report(summary: str, extra: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "summary": summary,
        "parameters": [_query("from", _DAY, "first day, in the company's time zone"),
                       _query("to", _DAY, "last day, included"),
                       _query("format", {"type": "string", "enum": ["json", "csv"]}), *extra],
        "responses": {"200": _answer("the report", {**_OBJECT, "text/csv": {
            "schema": {"type": "string"}}}), **_errors(400, 401, 403)},
    }


_LEAD_ACTION = {"200": _answer("the lead's new state", _OBJECT), **_errors(400, 401, 404, 409)}
_PAGE = [_query("limit", {"type": "integer", "minimum": 0, "maximum": 500}),
         _query("offset", _ID)]
_ADMIN_ACTION = {"200": _answer("done", _OBJECT), **_errors(400, 401, 403, 404, 409)}

# Card hygiene: look-alike cards, merges and their undo, bans and the quarantine.
_HYGIENE: dict[tuple[str, str], dict[str, Any]] = {
    ("get", "/api/duplicates"): {
        "summary": "Pairs of cards that may be one person, newest first (admin).",
        "parameters": _PAGE,
        "responses": {"200": _answer("a page of pairs", _OBJECT), **_errors(400, 401, 403)},
    },
    ("post", "/api/customers/{customer_id}/duplicates/{other_id}/dismiss"): {
        "summary": "The two cards are not one person: never suggested again (admin).",
        "responses": _ADMIN_ACTION,
    },
    ("post", "/api/customers/{customer_id}/merge"): {
        "summary": "Merge another card into this one by hand (admin); undoable.",
        "requestBody": _json_body({"from": _ID}, ["from"]),
        "responses": {**_ADMIN_ACTION, **_errors(422)},
    },
    ("post", "/api/merges/{merge_id}/undo"): {
        "summary": "Put both cards of a merge back exactly as they were (admin).",
        "responses": _ADMIN_ACTION,
    },
    ("get", "/api/bans"): {
        "summary": "The ban list (admin).",
        "responses": {"200": _answer("every ban", _OBJECT), **_errors(401, 403)},
    },
    ("post", "/api/bans"): {
        "summary": "Ban a contact: its events go to quarantine (admin).",
        "requestBody": _json_body({
            "kind": {"type": "string", "enum": ["phone", "email", "domain", "telegram",
                                                "whatsapp", "instagram", "ip"]},
            "value": {"type": "string"}, "reason": {"type": "string"},
            "region": {"type": "string"}}, ["kind", "value"]),
        "responses": {"201": _answer("banned", _OBJECT), **_errors(400, 401, 403, 422)},
    },
    ("delete", "/api/bans/{ban_id}"): {
        "summary": "Lift a ban (admin).",
        "responses": {"200": _answer("lifted", _OBJECT), **_errors(401, 403, 404)},
    },
    ("get", "/api/quarantine"): {
        "summary": "Events of banned contacts, newest first (admin).",
        "parameters": [_query("released", {"type": "string", "enum": ["true", "false"]}),
                       *_PAGE],
        "responses": {"200": _answer("a page of kept events", _OBJECT),
                      **_errors(400, 401, 403)},
    },
    ("post", "/api/quarantine/{quarantine_id}/release"): {
        "summary": "Run a kept event through intake as if it had just arrived (admin).",
        "responses": {"200": _answer("what the event became", _OBJECT),
                      **_errors(401, 403, 404, 422, 503)},
    },
}

_OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/forms/{form_key}"): {
        "summary": "Public intake of a website form (JSON, urlencoded or multipart).",
        "requestBody": _form_body(),
        "responses": {
            "201": _answer("stored", {"application/json": {
                "schema": {"$ref": "#/components/schemas/IntakeAnswer"}}}),
            "200": _answer("stored (forms set to success_status 200)", _OBJECT),
            "303": _answer("stored; a browser is sent to the thank-you page"),
            **_errors(400, 403, 404, 413, 415, 422, 429, 503),
        },
    },
    ("options", "/forms/{form_key}"): {
        "summary": "CORS preflight for a form's allowed origins.",
        "responses": {"204": _answer("allowed"), **_errors(403, 404)},
    },
    ("get", "/forms/{form_key}.js"): {
        "summary": "The embeddable snippet that posts the page's form to Leadgate.",
        "responses": {"200": _answer("JavaScript", {"application/javascript": {
            "schema": {"type": "string"}}}), **_errors(404)},
    },
    ("post", "/sms/{provider}"): {
        "summary": "An SMS gateway's inbound-message webhook (signature checked per provider).",
        "requestBody": {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}}}},
        "responses": {"200": _answer("taken (or known and ignored)"),
                      **_errors(400, 403, 404, 413, 422, 503)},
    },
    ("get", "/api/customers"): {
        "parameters": [_query("phone", {"type": "string"}, "any written form"),
                       _query("email", {"type": "string"}),
                       _query("region", {"type": "string", "pattern": "^[A-Z]{2}$"})],
        "responses": {"200": _answer("the card", _OBJECT), **_errors(400, 401, 404)},
    },
    ("get", "/api/customers/{customer_id}"): {
        "responses": {"200": _answer("the card", _OBJECT), **_errors(400, 401, 404)},
    },
    ("get", "/api/leads"): {
        "parameters": [
            _query("status", {"type": "string"}), _query("channel", {"type": "string"}),
            _query("manager_id", _ID), _query("limit", {"type": "integer", "minimum": 1,
                                                        "maximum": 500}),
            _query("offset", _ID),
            _query("callback", {"type": "string", "enum": ["due"]},
                   "only open leads whose callback is due")],
        "responses": {"200": _answer("a page of leads", _OBJECT), **_errors(400, 401)},
    },
    ("get", "/api/leads/{lead_id}"): {
        "responses": {"200": _answer("the lead", _OBJECT), **_errors(400, 401, 404)},
    },
    ("post", "/api/leads/{lead_id}/accept"): {
        "requestBody": _json_body({"manager_id": _ID}), "responses": _LEAD_ACTION,
    },
    ("post", "/api/leads/{lead_id}/pass"): {
        "requestBody": _json_body({"manager_id": _ID}), "responses": _LEAD_ACTION,
    },
    ("post", "/api/leads/{lead_id}/close"): {
        "requestBody": _json_body({"status": {"type": "string",
                                              "enum": ["won", "lost", "spam"]},
                                   "ban": {"type": "boolean"}}, ["status"]),
        "responses": _LEAD_ACTION,
    },
    **_HYGIENE,
    ("get", "/api/leads/{lead_id}/reply"): {
        "summary": "Whether the lead's customer can be answered now, and on which channel.",
        "responses": {"200": _answer("can_reply, channel, or the reason not", _OBJECT),
                      **_errors(400, 401, 404, 503)},
    },
    ("post", "/api/leads/{lead_id}/reply"): {
        "summary": "Answer the customer on the channel they last wrote on; an outbound touch.",
        "requestBody": _json_body({"text": {"type": "string", "minLength": 1,
                                            "maxLength": 4096}}, ["text"]),
        "responses": {"201": _answer("sent and recorded", _OBJECT),
                      **_errors(400, 401, 404, 422, 503)},
    },
    ("post", "/api/calls"): {
        "requestBody": _json_body({"manager_id": _ID, "phone": {"type": "string"}},
                                  ["phone"]),
        "responses": {"202": _answer("dialling", _OBJECT),
                      **_errors(400, 401, 403, 404, 422, 503)},
    },
    ("get", "/api/route/call"): {
        "parameters": [_query("caller", {"type": "string"}),
                       _query("region", {"type": "string", "pattern": "^[A-Z]{2}$"})],
        "responses": {"200": _answer("the owner's extension, or empty", {
            "text/plain": {"schema": {"type": "string"}}}), **_errors(400, 401, 403)},
    },
    **{("get", f"/api/reports/{name}"): _report(summary, extra)
       for name, summary, extra in _REPORTS},
    ("get", "/api/calls/{touch_id}/recording"): {
        "parameters": [{"name": "Range", "in": "header", "required": False,
                        "schema": {"type": "string"}}],
        "responses": {"200": _answer("the recording", {"audio/*": {"schema": {
                          "type": "string", "format": "binary"}}}),
                      "206": _answer("the requested byte range"),
                      "302": _answer("at the recordings server (recordings_url)"),
                      **_errors(401, 404)},
    },
    ("get", "/healthz"): {
        "summary": "Each channel's and loop's state; 503 when the database is unreachable.",
        "responses": {"200": _answer("serving", _OBJECT), "503": _answer("degraded", _OBJECT)},
    },
    ("get", "/metrics"): {
        "summary": "Prometheus metrics in the text exposition format.",
        "responses": {"200": _answer("metrics", {"text/plain": {"schema": {"type": "string"}}})},
    },
    ("get", "/api/openapi.json"): {
        "summary": "This document.",
        "responses": {"200": _answer("OpenAPI 3.1", _OBJECT)},
    },
}


# Webhooks whose path carries a configured name (a bot, an account): described by prefix.
_BY_PREFIX: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/telegram/"): {
        "summary": "A customer-facing Telegram bot's webhook (X-Telegram-Bot-Api-Secret-Token).",
        "requestBody": _json_body({"update_id": {"type": "integer"}}, ["update_id"]),
        "responses": {"200": _answer("taken (or known and ignored)", _OBJECT),
                      **_errors(400, 401, 413, 503)},
    },
    **{("get", f"/{kind}/"): {
        "summary": f"The {kind} webhook's subscription check: hub.challenge back as text.",
        "parameters": [_query("hub.mode", {"type": "string"}),
                       _query("hub.verify_token", {"type": "string"}),
                       _query("hub.challenge", {"type": "string"})],
        "responses": {"200": _answer("the challenge", {
            "text/plain": {"schema": {"type": "string"}}}), **_errors(403)},
    } for kind in ("whatsapp", "instagram")},
    **{("post", f"/{kind}/"): {
        "summary": f"The {kind} webhook (X-Hub-Signature-256 of the body with the app secret).",
        "requestBody": _json_body({"object": {"type": "string"}, "entry": {"type": "array"}},
                                  ["object", "entry"]),
        "responses": {"200": _answer("taken (or known and ignored)", _OBJECT),
                      **_errors(400, 403, 413, 503)},
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


def path_parameter_schema(name: str) -> dict[str, Any]:
    """The schema of a path parameter by its name (a string when not known)."""
    return _PATH_PARAMETERS.get(name, {"type": "string", "maxLength": 200})


def tag_of(path: str) -> str:
    """The group an operation is listed under."""
    first = path.strip("/").split("/", 1)[0]
    return {"api": "api", "forms": "forms", "healthz": "operations",
            "metrics": "operations"}.get(first, "webhooks")


def default_responses(path: str) -> dict[str, Any]:
    """The answers every edge may give, for routes with nothing more specific written."""
    if path.startswith("/app"):
        return {"200": _answer("an HTML page", {"text/html": {"schema": {"type": "string"}}}),
                "303": _answer("redirect"), **_errors(400, 403, 404)}
    return {"200": _answer("taken", _OBJECT), **_errors(400, 401, 403, 404, 413, 503)}
