"""The OpenAPI text of card hygiene: look-alike cards, merges and their undo, bans, quarantine."""

from __future__ import annotations

from typing import Any

from leadgate.http.openapi_parts import (
    ADMIN_ACTION,
    ID,
    OBJECT,
    PAGE,
    answer,
    errors,
    json_body,
    query,
)

HYGIENE: dict[tuple[str, str], dict[str, Any]] = {
    ("get", "/api/duplicates"): {
        "summary": "Pairs of cards that may be one person, newest first (admin).",
        "parameters": PAGE,
        "responses": {"200": answer("a page of pairs", OBJECT), **errors(400, 401, 403)},
    },
    ("post", "/api/customers/{customer_id}/duplicates/{other_id}/dismiss"): {
        "summary": "The two cards are not one person: never suggested again (admin).",
        "responses": ADMIN_ACTION,
    },
    ("post", "/api/customers/{customer_id}/merge"): {
        "summary": "Merge another card into this one by hand (admin); undoable.",
        "requestBody": json_body({"from": ID}, ["from"]),
        "responses": {**ADMIN_ACTION, **errors(422)},
    },
    ("post", "/api/merges/{merge_id}/undo"): {
        "summary": "Put both cards of a merge back exactly as they were (admin).",
        "responses": ADMIN_ACTION,
    },
    ("get", "/api/bans"): {
        "summary": "The ban list (admin).",
        "responses": {"200": answer("every ban", OBJECT), **errors(401, 403)},
    },
    ("post", "/api/bans"): {
        "summary": "Ban a contact: its events go to quarantine (admin).",
        "requestBody": json_body({
            "kind": {"type": "string", "enum": ["phone", "email", "domain", "telegram",
                                                "whatsapp", "instagram", "ip"]},
            "value": {"type": "string"}, "reason": {"type": "string"},
            "region": {"type": "string"}}, ["kind", "value"]),
        "responses": {"201": answer("banned", OBJECT), **errors(400, 401, 403, 422)},
    },
    ("delete", "/api/bans/{ban_id}"): {
        "summary": "Lift a ban (admin).",
        "responses": {"200": answer("lifted", OBJECT), **errors(401, 403, 404)},
    },
    ("get", "/api/quarantine"): {
        "summary": "Events of banned contacts, newest first (admin).",
        "parameters": [query("released", {"type": "string", "enum": ["true", "false"]}),
                       *PAGE],
        "responses": {"200": answer("a page of kept events", OBJECT),
                      **errors(400, 401, 403)},
    },
    ("post", "/api/quarantine/{quarantine_id}/release"): {
        "summary": "Run a kept event through intake as if it had just arrived (admin).",
        "responses": {"200": answer("what the event became", OBJECT),
                      **errors(401, 403, 404, 422, 503)},
    },
}
