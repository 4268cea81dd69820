"""The send request each SMS provider documents, and reading its answer (pure)."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from typing import Any

from channels.sms.send_settings import SendSettings
from channels.sms.signatures import vonage_signature


@dataclass(frozen=True, slots=True)
class SendRequest:
    """One HTTP POST: a form (`form`) or JSON (`json`) body, with its headers."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] | None = None
    json: dict[str, Any] | None = None


def send_request(settings: SendSettings, to: str, sender: str, text: str) -> SendRequest:
    """The provider's send call for one text from `sender` to `to` (both E.164)."""
    digits_to, digits_from = to.lstrip("+"), sender.lstrip("+")
    if settings.provider == "twilio":
        return SendRequest(
            f"{settings.api_base}/2010-04-01/Accounts/{settings.account}/Messages.json",
            _basic(settings.account, settings.secret), form={"To": to, "From": sender,
                                                             "Body": text})
    if settings.provider == "plivo":
        return SendRequest(
            f"{settings.api_base}/v1/Account/{settings.account}/Message/",
            _basic(settings.account, settings.secret),
            json={"src": digits_from, "dst": digits_to, "text": text})
    if settings.provider == "vonage":
        return SendRequest(f"{settings.api_base}/sms/json", form=_vonage_form(
            settings, digits_to, digits_from, text))
    return SendRequest(
        f"{settings.api_base}/sms/2/text/advanced", {"Authorization": f"App {settings.account}"},
        json={"messages": [{"from": digits_from, "destinations": [{"to": digits_to}],
                            "text": text}]})


def message_id(provider: str, status: int, answer: Any) -> str:
    """The provider's id of the sent message; ValueError with the provider's reason if refused."""
    if not isinstance(answer, dict):
        raise ValueError(f"{provider} answered {status} without a JSON object")
    if provider == "vonage":
        sent = (answer.get("messages") or [{}])[0]
        if str(sent.get("status", "")) != "0":
            raise ValueError(f"vonage refused: {sent.get('error-text', sent.get('status'))}")
        return str(sent.get("message-id", ""))
    if status >= 300:
        reason = answer.get("message") or answer.get("error") or answer.get("requestError")
        raise ValueError(f"{provider} answered {status}: {str(reason)[:200]}")
    if provider == "twilio":
        return str(answer.get("sid", ""))
    if provider == "plivo":
        return str((answer.get("message_uuid") or [""])[0])
    if provider == "infobip":
        return str((answer.get("messages") or [{}])[0].get("messageId", ""))
    return str(answer.get("id") or answer.get("message_id") or "")


def _basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _vonage_form(settings: SendSettings, to: str, sender: str, text: str) -> dict[str, str]:
    form = {"api_key": settings.account, "to": to, "from": sender, "text": text}
    if not text.isascii():
        form["type"] = "unicode"
    if settings.signature_secret:
        # A signed request carries a timestamp and `sig` instead of the API secret.
        form["timestamp"] = str(int(time.time()))
        form["sig"] = vonage_signature(settings.signature_secret, form)
    else:
        form["api_secret"] = settings.secret
    return form
