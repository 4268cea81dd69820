"""A captured signed gateway request sent again is refused: Plivo nonces, Vonage timestamps."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlencode

from channels.sms.signatures import plivo_v3_signature, vonage_signature
from tests.channels.sms.conftest import PLIVO_TOKEN, SMS_SECTION, captured, serving
from tests.fakes import RecordingSink

VONAGE_SECRET = "vonage-signature-secret"


def signed_plivo(nonce: str) -> tuple[str, dict[str, str]]:
    request = captured("plivo_inbound")
    params = parse_qsl(request["body"], keep_blank_values=True)
    signature = plivo_v3_signature(PLIVO_TOKEN, request["url"], nonce, params)
    return request["body"], {**request["headers"], "X-Plivo-Signature-V3": signature,
                             "X-Plivo-Signature-V3-Nonce": nonce}


def signed_vonage(timestamp: int) -> str:
    fields = {"msisdn": "998901234567", "to": "998712000000", "text": "salom",
              "messageId": f"0B{timestamp}", "message-timestamp": "2026-11-30 10:00:00",
              "timestamp": str(timestamp), "nonce": "abc"}
    return urlencode({**fields, "sig": vonage_signature(VONAGE_SECRET, fields)})


async def test_a_plivo_request_sent_again_with_the_same_nonce_is_refused() -> None:
    sink = RecordingSink()
    async with serving(SMS_SECTION, sink) as gateway:
        body, headers = signed_plivo("replayed-nonce-1")
        first = await gateway.post("/sms/plivo", body, headers)
        again = await gateway.post("/sms/plivo", body, headers)
        body, headers = signed_plivo("fresh-nonce-2")
        fresh = await gateway.post("/sms/plivo", body, headers)

    assert (first.status, again.status, fresh.status) == (200, 403, 200)
    assert again.body["error"] == "replayed"


async def test_a_signed_vonage_message_inside_the_window_is_taken() -> None:
    sink = RecordingSink()
    section = {**SMS_SECTION, "vonage": {"signature_secret": VONAGE_SECRET}}
    async with serving(section, sink) as gateway:
        answer = await gateway.post("/sms/vonage", signed_vonage(int(time.time())),
                                    {"Content-Type": "application/x-www-form-urlencoded"})

    assert answer.status == 200, answer.text
    assert len(sink.events) == 1


async def test_a_signed_vonage_message_from_an_hour_ago_is_refused() -> None:
    sink = RecordingSink()
    section = {**SMS_SECTION, "vonage": {"signature_secret": VONAGE_SECRET}}
    async with serving(section, sink) as gateway:
        answer = await gateway.post("/sms/vonage", signed_vonage(int(time.time()) - 3600),
                                    {"Content-Type": "application/x-www-form-urlencoded"})

    assert (answer.status, answer.body["error"]) == (403, "stale_signature")
    assert sink.events == []
