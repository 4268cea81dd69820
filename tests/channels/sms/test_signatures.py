"""Gateway signatures match the providers' published algorithms and vectors."""

from __future__ import annotations

from urllib.parse import parse_qsl

from channels.sms.signatures import (
    plivo_v3_signature,
    plivo_v3_valid,
    twilio_signature,
    twilio_valid,
    vonage_signature,
    vonage_valid,
)
from tests.channels.sms.conftest import captured

TWILIO_VECTOR_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}


def test_twilio_published_test_vector_gives_the_published_signature() -> None:
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    signature = twilio_signature("12345", url, TWILIO_VECTOR_PARAMS.items())
    assert signature == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_the_captured_twilio_request_is_signed_with_its_auth_token() -> None:
    request = captured("twilio_inbound")
    params = parse_qsl(request["body"], keep_blank_values=True)
    given = request["headers"]["X-Twilio-Signature"]
    assert twilio_valid(request["auth_token"], request["url"], params, given)
    assert not twilio_valid("another-token", request["url"], params, given)


def test_a_twilio_body_changed_after_signing_fails() -> None:
    request = captured("twilio_forged_signature")
    params = parse_qsl(request["body"], keep_blank_values=True)
    given = request["headers"]["X-Twilio-Signature"]
    assert not twilio_valid(request["auth_token"], request["url"], params, given)


def test_plivo_v3_signs_url_sorted_body_and_nonce() -> None:
    params = [("To", "2"), ("From", "1")]
    signature = plivo_v3_signature("token", "https://a.example/sms/plivo", "12345", params)
    assert plivo_v3_valid("token", "https://a.example/sms/plivo", "12345", params, signature)
    assert plivo_v3_valid("token", "https://a.example/sms/plivo", "12345", params, f"x,{signature}")
    assert not plivo_v3_valid("token", "https://a.example/sms/plivo", "54321", params, signature)


def test_vonage_md5hash_and_hmac_signatures_round_trip() -> None:
    params = {"msisdn": "37061234567", "text": "a=b&c", "timestamp": "1793592901"}
    for method in ("md5hash", "sha256"):
        signed = {**params, "sig": vonage_signature("secret", params, method)}
        assert vonage_valid("secret", signed, method)
        assert not vonage_valid("other", signed, method)
