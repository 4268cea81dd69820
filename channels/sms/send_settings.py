"""What each SMS provider needs to send (`[sms.<provider>]` keys beside the webhook secret)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

API_BASES = {
    "twilio": "https://api.twilio.com",
    "plivo": "https://api.plivo.com",
    "vonage": "https://rest.nexmo.com",
}
# The keys a provider needs, besides its webhook secret, before it can send.
_NEEDED = {"twilio": ("account_sid",), "plivo": ("auth_id",), "vonage": ("api_key",),
           "infobip": ("api_key", "base_url")}


@dataclass(frozen=True, slots=True)
class SendSettings:
    """One provider's send API: its account, credentials, default sender and address."""

    provider: str
    api_base: str
    account: str = ""
    """Twilio's Account SID, Plivo's Auth ID, Vonage's or Infobip's API key."""
    secret: str = field(default="", repr=False)
    """Twilio's or Plivo's auth token, Vonage's API secret."""
    signature_secret: str = field(default="", repr=False)
    """Vonage: sign requests (`sig`) with this instead of sending the API secret."""
    sender: str | None = None
    """`from`: the number or name replies come from; else the number the customer wrote to."""


def send_settings(name: str, table: dict[str, Any], webhook_secret: str | None
                  ) -> SendSettings | None:
    """The provider's send settings, or None when the table holds no send credentials."""
    where = f"[sms.{name}]"
    needed = _NEEDED.get(name, ())
    if not needed or not any(key in table for key in needed):
        return None
    for key in needed:
        if not isinstance(table.get(key), str) or not table[key].strip():
            raise ValueError(f"{where}: sending needs {', '.join(needed)}")
    base = table.get("base_url") if name == "infobip" else table.get("api_base", API_BASES[name])
    secret = str(table.get("api_secret") or "") if name == "vonage" else str(webhook_secret or "")
    signing = str(table.get("signature_secret") or "") if name == "vonage" else ""
    if name == "vonage" and not (secret or signing):
        raise ValueError(f"{where}: sending needs api_secret or signature_secret")
    if not isinstance(base, str) or not base.startswith(("http://", "https://")):
        raise ValueError(f"{where}: api_base must be an http(s) URL")
    sender = table.get("from")
    return SendSettings(name, base.rstrip("/"), str(table[needed[0]]), secret, signing,
                        str(sender) if sender else None)
