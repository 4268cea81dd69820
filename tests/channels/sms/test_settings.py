"""SMS settings come from `[sms.<provider>]` and `public_url`; bad config is refused clearly."""

from __future__ import annotations

from typing import Any

import pytest

from channels.sms.settings import SmsSettings


def test_providers_outbound_and_template_are_read() -> None:
    settings = SmsSettings.from_toml(
        {
            "twilio": {"auth_token": "t0ken"},
            "vonage": {"signature_secret": "s", "signature_method": "sha256"},
            "ack_template": "Thanks! {manager} will call.",
            "outbound": {"url": "https://sms.example/send", "token": "x", "from": "Shop"},
        },
        public_url="https://leads.example.uz/",
    )
    assert set(settings.providers) == {"twilio", "vonage"}
    assert settings.public_url == "https://leads.example.uz"
    assert settings.providers["vonage"].signature_method == "sha256"
    assert settings.outbound is not None and settings.outbound.sender == "Shop"
    assert "t0ken" not in repr(settings)


@pytest.mark.parametrize(
    ("section", "public_url", "message"),
    [
        ({"twilio": {}}, "https://a.uz", r"\[sms.twilio\]: auth_token"),
        ({"twilio": {"auth_token": "t"}}, None, "public_url"),
        ({"plivo": {"auth_token": "t"}}, None, "public_url"),
        ({"infobip": {"secret": ""}}, None, r"\[sms.infobip\]: secret"),
        ({"nexmo": {}}, None, "unknown provider"),
        ({"vonage": {"signature_method": "crc32"}}, None, "signature_method"),
        ({"ack_template": "Hi"}, None, r"needs \[sms.outbound\]"),
        ({"outbound": {"url": "ftp://x"}}, None, "http"),
        ({"ack_template": "Hi {", "outbound": {"url": "https://x"}}, None, "ack_template"),
    ],
)
def test_bad_sms_config_is_refused(
    section: dict[str, Any], public_url: str | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        SmsSettings.from_toml(section, public_url)
