"""Message bodies are compact UTF-8 JSON, whatever JSON value the outbox holds."""

from __future__ import annotations

import json
from typing import Any

from routing.amqp import encode


def stdlib(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def test_a_body_is_the_compact_utf8_json_the_standard_library_writes() -> None:
    payload = {"event": "lead.assigned", "lead_id": 7, "manager": {"id": 3, "name": "Алия"},
               "summary": "Здравствуйте — «гранит»", "phones": ["+998901234567"],
               "score": 0.25, "vip": False, "note": None, "quote": 'a "b" \\ c\n'}

    assert encode(payload) == stdlib(payload)
    assert "Алия".encode() in encode(payload)


def test_an_integer_past_64_bits_is_written_as_well() -> None:
    payload = {"lead_id": 2**70}

    assert json.loads(encode(payload)) == payload


def test_integer_keys_are_written_as_text_as_the_standard_library_does() -> None:
    payload: dict[Any, Any] = {"counts": {1: 2}}

    assert encode(payload) == stdlib(payload)
