"""Instagram messaging webhook payload → ContactEvents, pure; echoes, reads, reactions ignored."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from channels.messengers.meta_webhook import Ignored, Parsed
from channels.messengers.text_contacts import contacts_in
from leads.errors import Malformed
from leads.model import ContactEvent, RawIdentity

_KNOWN_NOT_LEADS = ("read", "delivery", "reaction", "message_edit", "optin", "seen")


def parse_payload(payload: dict[str, Any], raw: bytes, account: str,
                  region: str | None = None) -> list[Parsed]:
    """Every message a customer sent as an event; everything else we know as Ignored."""
    if payload.get("object") not in ("instagram", "page"):
        raise Malformed("object must be instagram")
    parsed: list[Parsed] = []
    for item in _messaging(payload):
        sender = str((item.get("sender") or {}).get("id") or "")
        message = item.get("message")
        if isinstance(message, dict) and message.get("is_echo"):
            parsed.append(Ignored("echo of our own message"))
        elif isinstance(message, dict) or isinstance(item.get("postback"), dict):
            if not sender.isdigit():
                raise Malformed("a message needs sender.id")
            parsed.append(_event(item, sender, account, region, raw))
        else:
            kind = next((k for k in _KNOWN_NOT_LEADS if k in item), "unknown")
            parsed.append(Ignored(kind))
    return parsed


def _messaging(payload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    entries = payload.get("entry")
    if not isinstance(entries, list):
        raise Malformed("entry must be a list")
    for entry in entries:
        for item in (entry or {}).get("messaging") or []:
            if isinstance(item, dict):
                yield item
        for change in (entry or {}).get("changes") or []:
            # Instagram's test button and some apps deliver messages as field changes.
            value = (change or {}).get("value")
            if isinstance(value, dict) and "sender" in value:
                yield value


def _event(item: dict[str, Any], sender: str, account: str, region: str | None,
           raw: bytes) -> ContactEvent:
    message = item.get("message") or {}
    postback = item.get("postback") or {}
    mid = str(message.get("mid") or postback.get("mid") or "")
    if not mid:
        raise Malformed("a message needs mid")
    text = message.get("text") or postback.get("title")
    quick = str((message.get("quick_reply") or {}).get("payload") or "")
    media = [{"type": str(a.get("type")), "url": (a.get("payload") or {}).get("url")}
             for a in message.get("attachments") or [] if isinstance(a, dict)]
    details: dict[str, Any] = {"account": account, "igsid": sender,
                               "recipient": (item.get("recipient") or {}).get("id")}
    if media:
        details["media"] = media
    if message.get("reply_to"):
        details["reply_to"] = message["reply_to"]
    referral = message.get("referral") or item.get("referral") or postback.get("referral")
    identities = [RawIdentity("instagram", sender), *contacts_in(f"{text or ''} {quick}", region)]
    return ContactEvent(
        channel="instagram",
        external_id=mid,
        occurred_at=_time(item.get("timestamp")),
        identities=tuple(dict.fromkeys(identities)),
        text=text or None,
        attribution={"instagram": account, **_referral(referral)},
        details=details,
        raw_ref=f"instagram:{account}:{mid}",
        raw=raw,
        region=region,
    )


def _referral(referral: Any) -> dict[str, str]:
    """An ad (or an ig.me link) that opened the chat: utm_source instagram and the ad's id."""
    if not isinstance(referral, dict):
        return {}
    context = referral.get("ads_context_data") or {}
    found = {"utm_source": "instagram",
             "utm_medium": "ad" if referral.get("ad_id") else str(referral.get("source") or ""),
             "ad_id": referral.get("ad_id"), "ad_headline": context.get("ad_title"),
             "ref": referral.get("ref")}
    return {k: str(v)[:500] for k, v in found.items() if v}


def _time(value: Any) -> datetime:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return datetime.now(UTC)
    # Instagram stamps in milliseconds.
    return datetime.fromtimestamp(number / 1000 if number > 10**11 else number, UTC)


def outbound_event(account: str, igsid: str, message_id: str, text: str,
                   manager: str | None) -> ContactEvent:
    """The timeline entry of a reply our account sent to `igsid`."""
    return ContactEvent(
        channel="instagram", external_id=message_id, occurred_at=datetime.now(UTC),
        identities=(RawIdentity("instagram", igsid),), text=text,
        attribution={"instagram": account}, direction="outbound",
        details={"account": account, "igsid": igsid, "manager": manager, "reply": True},
    )
