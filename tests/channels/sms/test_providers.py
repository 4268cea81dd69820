"""Each gateway's real request shape becomes one SMS touch, checked and idempotent."""

from __future__ import annotations

import asyncio
import random
from urllib.parse import parse_qsl

from channels.sms.signatures import plivo_v3_signature
from tests.channels.sms.conftest import (
    GENERIC_TOKEN,
    PLIVO_TOKEN,
    PUBLIC_URL,
    SmsGateway,
    captured,
)
from tests.fakes import RecordingSink


def phones(sink: RecordingSink, index: int = -1) -> list[str]:
    return [i.value for i in sink.events[index].identities if i.kind == "phone"]


async def test_a_signed_twilio_message_is_a_touch_and_twilio_gets_empty_twiml(
    gateway: SmsGateway, sink: RecordingSink
) -> None:
    answer = await gateway.replay("twilio_inbound")
    assert answer.status == 200
    assert "<Response>" in answer.text
    [event] = sink.events
    assert event.channel == "sms"
    assert event.external_id == "twilio:SM3f2b9c1e0d7a4b8c9e6f5a4b3c2d1e0f"
    assert phones(sink) == ["+998935551122"]
    assert event.attribution["did"] == "+998712000000"
    assert event.text == "Здравствуйте, перезвоните мне пожалуйста"


async def test_a_twilio_body_changed_after_signing_is_403_and_not_stored(
    gateway: SmsGateway, sink: RecordingSink
) -> None:
    answer = await gateway.replay("twilio_forged_signature")
    assert (answer.status, answer.body["error"]) == (403, "bad_signature")
    assert sink.events == []


async def test_a_twilio_request_without_signature_is_403(gateway: SmsGateway) -> None:
    request = captured("twilio_inbound")
    answer = await gateway.replay(
        "twilio_inbound", headers={"Content-Type": request["headers"]["Content-Type"]}
    )
    assert answer.status == 403


async def test_a_duplicate_delivery_makes_one_touch(
    gateway: SmsGateway, sink: RecordingSink
) -> None:
    first = await gateway.replay("twilio_inbound")
    again = await gateway.replay("twilio_inbound")
    assert (first.status, again.status) == (200, 200)
    assert len(sink.events) == 1


async def test_a_twilio_delivery_status_callback_is_200_and_ignored(
    gateway: SmsGateway, sink: RecordingSink
) -> None:
    from channels.sms.signatures import twilio_signature

    body = "MessageSid=SM1&MessageStatus=delivered&SmsStatus=delivered&To=%2B998935551122"
    signature = twilio_signature(
        "twilio-test-auth-token", f"{PUBLIC_URL}/sms/twilio", parse_qsl(body)
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature,
    }
    answer = await gateway.post("/sms/twilio", body, headers)
    assert answer.status == 200
    assert sink.events == []


async def test_a_single_vonage_message_is_a_touch(gateway: SmsGateway, sink: RecordingSink) -> None:
    answer = await gateway.replay("vonage_single")
    assert answer.status == 200
    [event] = sink.events
    assert phones(sink) == ["+37061234567"]
    assert event.text == "Sveiki, ar turite laisvų vietų rytoj?"
    assert event.external_id == "vonage:0B0000001111AAA0"
    assert event.attribution["keyword"] == "SVEIKI"


async def test_a_vonage_message_in_three_parts_is_one_touch_with_the_whole_text(
    gateway: SmsGateway, sink: RecordingSink
) -> None:
    order = ["vonage_concat_part3", "vonage_concat_part1", "vonage_concat_part2"]
    for name in order:
        assert (await gateway.replay(name)).status == 200
    [event] = sink.events
    texts = [captured(f"vonage_concat_part{n}")["body"]["text"] for n in (1, 2, 3)]
    assert event.text == "".join(texts)
    assert phones(sink) == ["+998977001122"]
    assert event.external_id == "vonage:0A00000012345AB1"
    assert event.details["parts"] == 3


async def test_vonage_parts_arriving_together_in_any_order_still_make_one_touch(
    gateway: SmsGateway, sink: RecordingSink
) -> None:
    names = [f"vonage_concat_part{n}" for n in (1, 2, 3)] * 2
    random.Random(7).shuffle(names)
    answers = await asyncio.gather(*(gateway.replay(name) for name in names))
    assert {a.status for a in answers} == {200}
    assert len(sink.events) == 1


async def test_a_signed_plivo_message_is_a_touch(gateway: SmsGateway, sink: RecordingSink) -> None:
    request = captured("plivo_inbound")
    params = parse_qsl(request["body"], keep_blank_values=True)
    nonce = "05429567804466091622"
    signature = plivo_v3_signature(PLIVO_TOKEN, request["url"], nonce, params)
    headers = {
        **request["headers"],
        "X-Plivo-Signature-V3": signature,
        "X-Plivo-Signature-V3-Nonce": nonce,
    }
    answer = await gateway.replay("plivo_inbound", headers=headers)
    assert answer.status == 200
    [event] = sink.events
    assert phones(sink) == ["+998901112233"]
    assert event.text == "Narxlar ro'yxatini yuboring"
    assert event.external_id == "plivo:2f6a9c4e-5b1d-11f0-9c2a-0242ac110002"


async def test_an_unsigned_plivo_message_is_403(gateway: SmsGateway, sink: RecordingSink) -> None:
    assert (await gateway.replay("plivo_inbound")).status == 403
    assert sink.events == []


async def test_an_infobip_message_is_authenticated_by_the_secret_in_the_url(
    gateway: SmsGateway, sink: RecordingSink
) -> None:
    answer = await gateway.replay("infobip_inbound")
    assert answer.status == 200
    [event] = sink.events
    assert phones(sink) == ["+79031234567"]
    assert event.text == "Нужен расчёт стоимости"
    assert event.attribution["keyword"] == "ЗАКАЗ"
    assert event.occurred_at.isoformat() == "2026-11-02T09:15:00+00:00"


async def test_an_infobip_request_with_a_wrong_secret_is_403(
    gateway: SmsGateway, sink: RecordingSink
) -> None:
    url = "https://leads.example.com/sms/infobip?secret=guess"
    assert (await gateway.replay("infobip_inbound", url=url)).status == 403
    assert sink.events == []


async def test_an_infobip_delivery_report_is_200_and_ignored(
    gateway: SmsGateway, sink: RecordingSink
) -> None:
    report = {
        "results": [{"messageId": "1", "to": "79031234567", "status": {"groupName": "DELIVERED"}}]
    }
    answer = await gateway.post(
        "/sms/infobip?secret=change-me", report, {"Content-Type": "application/json"}
    )
    assert answer.status == 200
    assert sink.events == []


async def test_the_generic_json_format_is_a_touch_and_needs_its_token(
    gateway: SmsGateway, sink: RecordingSink
) -> None:
    body = {
        "id": "m-1",
        "from": "+998901234567",
        "to": "+998712000000",
        "text": "Salom",
        "received_at": "2026-11-02T09:15:00Z",
    }
    headers = {"Content-Type": "application/json"}
    refused = await gateway.post("/sms/generic", body, headers)
    assert refused.status == 403
    headers["Authorization"] = f"Bearer {GENERIC_TOKEN}"
    accepted = await gateway.post("/sms/generic", body, headers)
    assert accepted.status == 200
    assert sink.events[0].external_id == "generic:m-1"
    report = await gateway.post("/sms/generic", {"type": "delivery_report", "id": "m-1"}, headers)
    assert report.status == 200
    assert len(sink.events) == 1
