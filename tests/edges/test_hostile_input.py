"""Inputs a fuzzer found crashing handlers: each is answered 4xx (or stored), never 500."""

from __future__ import annotations

import gzip
import json
from typing import Any
from urllib.parse import urlencode

import pytest

from channels.sms.signatures import plivo_v3_signature, twilio_signature
from tests.edges.conftest import (
    GENERIC_TOKEN,
    INFOBIP_SECRET,
    PLIVO_TOKEN,
    PUBLIC_URL,
    TELEGRAM_SECRET,
    TWILIO_TOKEN,
    telegram_update,
)
from tests.support.leadgate_http import LeadgateClient


def twilio_post(fields: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    body = urlencode(fields).encode()
    signature = twilio_signature(TWILIO_TOKEN, f"{PUBLIC_URL}/sms/twilio", fields.items())
    return body, {"Content-Type": "application/x-www-form-urlencoded",
                  "X-Twilio-Signature": signature}


def assert_client_error(answer: Any) -> None:
    assert 400 <= answer.status < 500, (answer.status, answer.text[:300])
    assert isinstance(answer.body, dict) and answer.body.get("error"), answer.text[:300]


async def test_json_nested_fifty_thousand_deep_is_refused(lg: LeadgateClient) -> None:
    answer = await lg.post_form("contact", "[" * 50_000, "application/json")

    assert_client_error(answer)


async def test_gzip_encoding_with_a_body_that_is_not_gzip_is_refused(lg: LeadgateClient) -> None:
    answer = await lg.post_form("contact", b'{"phone": "+998901230001"}', "application/json",
                                headers={"Content-Encoding": "gzip"})

    assert_client_error(answer)


async def test_real_gzip_body_is_read(lg: LeadgateClient) -> None:
    body = gzip.compress(b'{"phone": "+998901230002"}')
    answer = await lg.post_form("contact", body, "application/json",
                                headers={"Content-Encoding": "gzip"})

    assert answer.status == 201


async def test_urlencoded_key_that_is_not_utf8_is_refused_or_read(lg: LeadgateClient) -> None:
    answer = await lg.post_form("contact", "%ED%BE%BA=1&phone=%2B998901230003",
                                "application/x-www-form-urlencoded")

    assert answer.status in (201, 400), answer.text


async def test_multipart_boundary_with_a_latin1_byte_is_refused(lg: LeadgateClient) -> None:
    body = (b'--b\xe9\r\nContent-Disposition: form-data; name="phone"\r\n\r\n'
            b"+998901230004\r\n--b\xe9--\r\n")
    answer = await lg.post_form("contact", body, "multipart/form-data; boundary=b\xe9")

    assert answer.status in (201, 400), answer.text


async def test_lone_surrogate_in_an_sms_becomes_a_touch(lg: LeadgateClient) -> None:
    body = json.dumps({"from": "+998901230005", "text": "hi \ud8e3 there",
                       "id": "s-1"}).encode()
    answer = await lg.request("POST", "/sms/generic", data=body, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {GENERIC_TOKEN}"})

    assert answer.status == 200, answer.text


async def test_lone_surrogate_in_a_telegram_username_becomes_a_touch(lg: LeadgateClient) -> None:
    user = {"id": 5550001, "is_bot": False, "first_name": "A\ud8e3", "username": "x\ud8e3y"}
    body = json.dumps(telegram_update(user, "salom")).encode()
    answer = await lg.request("POST", "/telegram/main", data=body, headers={
        "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})

    assert answer.status == 200, answer.text


@pytest.mark.parametrize("field", ["NumMedia", "NumSegments"])
async def test_signed_twilio_sms_with_a_count_that_is_not_a_number(
    lg: LeadgateClient, field: str
) -> None:
    body, headers = twilio_post({"MessageSid": "SM1", "From": "+998901230006",
                                 "To": "+998712000000", "Body": "hi", field: "abc"})
    answer = await lg.request("POST", "/sms/twilio", data=body, headers=headers)

    assert answer.status < 500, answer.text


async def test_signed_plivo_sms_whose_units_is_not_a_number_is_taken(lg: LeadgateClient) -> None:
    fields = {"MessageUUID": "u-1", "From": "998901230008", "To": "998712000000", "Text": "hi",
              "Units": "abc"}
    body = urlencode(fields).encode()
    nonce = "hostile-nonce-1"
    signature = plivo_v3_signature(PLIVO_TOKEN, f"{PUBLIC_URL}/sms/plivo", nonce, fields.items())
    answer = await lg.request("POST", "/sms/plivo", data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Plivo-Signature-V3": signature,
        "X-Plivo-Signature-V3-Nonce": nonce})

    assert answer.status == 200, answer.text


async def test_infobip_sms_whose_sms_count_is_not_a_number_is_taken(lg: LeadgateClient) -> None:
    body = json.dumps({"results": [{"messageId": "ib-1", "from": "998901230009",
                                    "to": "998712000000", "text": "hi", "smsCount": "abc"}]})
    answer = await lg.request("POST", f"/sms/infobip?secret={INFOBIP_SECRET}", data=body,
                              headers={"Content-Type": "application/json"})

    assert answer.status == 200, answer.text


async def test_received_at_beyond_the_calendar_is_refused_or_ignored(lg: LeadgateClient) -> None:
    body = json.dumps({"from": "+998901230007", "text": "hi", "id": "s-2",
                       "received_at": "9999-12-31T23:59:59-23:59"}).encode()
    answer = await lg.request("POST", "/sms/generic", data=body, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {GENERIC_TOKEN}"})

    assert answer.status < 500, answer.text


@pytest.mark.parametrize("path", ["/api/leads/²", "/api/customers/99999999999999999999",
                                  "/api/leads?offset=99999999999999999999",
                                  "/api/leads?limit=-1", "/api/leads/0x10"])
async def test_api_paths_and_queries_out_of_range_are_client_errors(
    lg: LeadgateClient, path: str
) -> None:
    answer = await lg.get(path)

    assert_client_error(answer)
