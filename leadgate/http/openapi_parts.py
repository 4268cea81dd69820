"""The pieces every OpenAPI operation is written with: answers, errors, bodies, shared schemas."""

from __future__ import annotations

from typing import Any

API_VERSION = "1"

ERROR = {"$ref": "#/components/schemas/Error"}
JSON_ERROR = {"application/json": {"schema": ERROR}}
OBJECT = {"application/json": {"schema": {"type": "object"}}}


def answer(description: str, content: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, **({"content": content} if content else {})}


def errors(*statuses: int) -> dict[str, Any]:
    reasons = {400: "malformed request", 401: "no valid token", 403: "refused",
               404: "not found", 409: "the state does not allow it", 413: "body too large",
               415: "unsupported content type", 422: "no usable contact or bad field",
               429: "rate limited", 503: "store unavailable, retry"}
    return {str(status): answer(reasons[status], JSON_ERROR) for status in statuses}


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

ID = {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}
_PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "lead_id": ID, "customer_id": ID, "touch_id": ID, "merge_id": ID, "other_id": ID,
    "ban_id": ID, "quarantine_id": ID,
    "form_key": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
    "provider": {"type": "string",
                 "enum": ["twilio", "vonage", "plivo", "infobip", "generic"]},
}


def query(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            **({"description": description} if description else {})}


def form_body() -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/FormFields"}
    return {"required": True, "content": {
        "application/json": {"schema": schema},
        "application/x-www-form-urlencoded": {"schema": schema},
        "multipart/form-data": {"schema": schema},
    }}


def json_body(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {"required": bool(required), "content": {"application/json": {"schema": schema}}}


DAY = {"type": "string", "format": "date"}
REPORTS: tuple[tuple[str, str, list[dict[str, Any]]], ...] = (
    ("funnel", "Leads by source, channel, form, dialed number, manager or team: counts, "
     "median and 90th percentile seconds to accept and to contact.",
     [query("by", {"type": "string",
                    "enum": ["source", "channel", "form", "did", "manager", "team"]})]),
    ("missed_calls", "Missed calls called back, in time, median time, never.", []),
    ("volume", "Leads per day, hour of the day and day of the week.", []),
    ("response_times", "Leads accepted and contacted within each response-time bucket.", []),
)


def report(summary: str, extra: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "summary": summary,
        "parameters": [query("from", DAY, "first day, in the company's time zone"),
                       query("to", DAY, "last day, included"),
                       query("format", {"type": "string", "enum": ["json", "csv"]}), *extra],
        "responses": {"200": answer("the report", {**OBJECT, "text/csv": {
            "schema": {"type": "string"}}}), **errors(400, 401, 403)},
    }


LEAD_ACTION = {"200": answer("the lead's new state", OBJECT), **errors(400, 401, 404, 409)}
PAGE = [query("limit", {"type": "integer", "minimum": 0, "maximum": 500}),
         query("offset", ID)]
ADMIN_ACTION = {"200": answer("done", OBJECT), **errors(400, 401, 403, 404, 409)}

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
        return {"200": answer("an HTML page", {"text/html": {"schema": {"type": "string"}}}),
                "303": answer("redirect"), **errors(400, 403, 404)}
    return {"200": answer("taken", OBJECT), **errors(400, 401, 403, 404, 413, 503)}
