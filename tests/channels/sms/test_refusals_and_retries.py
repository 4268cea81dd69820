"""Garbage is refused with a reason, a store outage asks for a retry, and restarts lose no part."""

from __future__ import annotations

from tests.channels.sms.conftest import SMS_SECTION, SmsGateway, serving
from tests.fakes import MemoryCursorStore, RecordingSink

JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def test_garbage_is_400_with_an_error_and_a_detail(
    gateway: SmsGateway, sink: RecordingSink
) -> None:
    answer = await gateway.post("/sms/vonage", b"{not json", JSON)
    assert answer.status == 400
    assert answer.body["error"] == "malformed"
    assert answer.body["detail"]
    missing = await gateway.post("/sms/vonage", "to=998712000000&text=hi", FORM)
    assert (missing.status, missing.body["error"]) == (400, "malformed")
    assert "messageId" in missing.body["detail"]
    assert sink.events == []


async def test_an_unknown_provider_is_404(gateway: SmsGateway) -> None:
    answer = await gateway.post("/sms/nexmo-old", "a=b", FORM)
    assert (answer.status, answer.body["error"]) == (404, "unknown_provider")


async def test_a_body_over_the_limit_is_413(gateway: SmsGateway) -> None:
    answer = await gateway.post("/sms/vonage", "text=" + "x" * 70_000, FORM)
    assert answer.status == 413


async def test_a_vonage_delivery_receipt_is_200_and_ignored(
    gateway: SmsGateway, sink: RecordingSink
) -> None:
    receipt = "msisdn=37061234567&to=37052000000&messageId=0B01&status=delivered&err-code=0"
    answer = await gateway.post("/sms/vonage", receipt, FORM)
    assert answer.status == 200
    assert sink.events == []


async def test_store_down_is_503_and_the_providers_retry_is_stored_once(
    gateway: SmsGateway, sink: RecordingSink
) -> None:
    sink.failing = True
    answer = await gateway.replay("vonage_single")
    assert (answer.status, answer.body["error"]) == (503, "store_unavailable")
    sink.failing = False
    assert (await gateway.replay("vonage_single")).status == 200
    assert (await gateway.replay("vonage_single")).status == 200
    assert len(sink.events) == 1


async def test_the_last_part_retried_after_a_store_outage_completes_the_message(
    gateway: SmsGateway, sink: RecordingSink
) -> None:
    await gateway.replay("vonage_concat_part1")
    await gateway.replay("vonage_concat_part2")
    sink.failing = True
    assert (await gateway.replay("vonage_concat_part3")).status == 503
    sink.failing = False
    assert (await gateway.replay("vonage_concat_part3")).status == 200
    [event] = sink.events
    assert event.text is not None and event.text.endswith("на этот номер.")


async def test_parts_held_before_a_restart_complete_the_message_after_it(
    sink: RecordingSink,
) -> None:
    cursors = MemoryCursorStore()
    async with serving(SMS_SECTION, sink, cursors) as before:
        await before.replay("vonage_concat_part2")
        await before.replay("vonage_concat_part1")
    async with serving(SMS_SECTION, sink, cursors) as after:
        await after.replay("vonage_concat_part3")
        await after.replay("vonage_concat_part1")
    [event] = sink.events
    assert event.text is not None and event.text.startswith("Добрый день!")
    assert event.text.endswith("на этот номер.")


async def test_a_signed_vonage_setup_refuses_an_unsigned_message(sink: RecordingSink) -> None:
    section = {**SMS_SECTION, "vonage": {"signature_secret": "vonage-secret"}}
    async with serving(section, sink) as gateway:
        answer = await gateway.replay("vonage_single")
    assert answer.status == 403
    assert sink.events == []


async def test_a_long_body_within_the_limit_is_read_whole(
    gateway: SmsGateway, sink: RecordingSink
) -> None:
    text = "ж" * 20_000
    body = f"msisdn=37061234567&to=37052000000&messageId=0B02&text={text}"
    answer = await gateway.post("/sms/vonage", body.encode(), FORM)
    assert answer.status == 200
    assert sink.events[0].text == text
