"""WhatsApp Cloud API webhook payload → ContactEvents, pure; statuses known and ignored."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from channels.messengers.meta_webhook import Ignored, Parsed
from channels.messengers.text_contacts import contacts_in
from leads.errors import Malformed
from leads.model import ContactEvent, RawIdentity

# Known and no contact from the customer: reactions, number changes, a chat merely opened.
NOT_MESSAGES = ("reaction", "system", "request_welcome", "ephemeral", "revoked")
MEDIA_TYPES = ("image", "video", "audio", "document", "sticker")
_MEDIA_KEYS = ("id", "mime_type", "sha256", "caption", "filename", "voice", "animated")


def parse_payload(payload: dict[str, Any], raw: bytes, account: str,
                  region: str | None = None) -> list[Parsed]:
    """Every message of one webhook POST as an event; statuses and other fields as Ignored."""
    if payload.get("object") != "whatsapp_business_account":
        raise Malformed("object must be whatsapp_business_account")
    parsed: list[Parsed] = []
    for value in _values(payload):
        names = {c.get("wa_id"): (c.get("profile") or {}).get("name")
                 for c in value.get("contacts") or [] if isinstance(c, dict)}
        metadata = value.get("metadata") or {}
        for message in value.get("messages") or []:
            if not isinstance(message, dict) or not message.get("id") or not message.get("from"):
                raise Malformed("a message needs id and from")
            if message.get("type") in NOT_MESSAGES:
                parsed.append(Ignored(f"message type {message.get('type')}"))
            else:
                parsed.append(_event(message, names, metadata, account, region, raw))
        parsed += [Ignored(f"status: {s.get('status')}") for s in value.get("statuses") or []
                   if isinstance(s, dict)]
        parsed += [Ignored("errors") for _ in value.get("errors") or []]
    return parsed


def _values(payload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    entries = payload.get("entry")
    if not isinstance(entries, list):
        raise Malformed("entry must be a list")
    for entry in entries:
        for change in (entry or {}).get("changes") or []:
            value = (change or {}).get("value")
            if isinstance(value, dict):
                yield value


def _event(message: dict[str, Any], names: dict[Any, Any], metadata: dict[str, Any],
           account: str, region: str | None, raw: bytes) -> ContactEvent:
    sender = str(message["from"])
    kind = str(message.get("type", "unknown"))
    text, details = _content(message, kind)
    shared = details.get("contacts", [])
    # The WhatsApp id always makes a card; the phone joins it when it is a valid number.
    identities = [RawIdentity("whatsapp", sender), RawIdentity("phone", "+" + sender.lstrip("+"))]
    identities += contacts_in(text if kind == "text" else None, region)
    for contact in shared:
        if contact.get("wa_id") == sender:
            identities += [RawIdentity("email", e) for e in contact.get("emails", [])]
    attribution = {"whatsapp": account, **_referral(message.get("referral"))}
    return ContactEvent(
        channel="whatsapp",
        external_id=str(message["id"]),
        occurred_at=_time(message.get("timestamp")),
        identities=tuple(dict.fromkeys(identities)),
        name=names.get(sender) or None,
        text=text,
        attribution=attribution,
        details={"account": account, "wa_id": sender, "type": kind,
                 "phone_number_id": metadata.get("phone_number_id"),
                 "context": message.get("context"), **details},
        raw_ref=f"whatsapp:{account}:{message['id']}",
        raw=raw,
        region=region,
    )


def _content(message: dict[str, Any], kind: str) -> tuple[str | None, dict[str, Any]]:
    found = message.get(kind)
    body: dict[str, Any] = found if isinstance(found, dict) else {}
    if kind == "text":
        return body.get("body"), {}
    if kind in MEDIA_TYPES:
        media = {"type": kind, **{k: body[k] for k in _MEDIA_KEYS if k in body}}
        return body.get("caption"), {"media": media}
    if kind == "contacts":
        shared = [_contact(c) for c in message.get("contacts") or [] if isinstance(c, dict)]
        lines = [" ".join([c["name"], *c["phones"], *c["emails"]]).strip() for c in shared]
        return "\n".join(lines) or None, {"contacts": shared}
    if kind == "location":
        return body.get("name") or body.get("address"), {"location": body}
    if kind in ("button", "interactive"):
        reply = body.get("button_reply") or body.get("list_reply") or body
        return reply.get("title") or reply.get("text"), {}
    return None, {}


def _contact(card: dict[str, Any]) -> dict[str, Any]:
    phones = [p for p in card.get("phones") or [] if isinstance(p, dict)]
    return {
        "name": str((card.get("name") or {}).get("formatted_name") or ""),
        "phones": [str(p.get("phone") or p.get("wa_id")) for p in phones],
        "wa_id": next((str(p["wa_id"]) for p in phones if p.get("wa_id")), None),
        "emails": [str(e["email"]) for e in card.get("emails") or []
                   if isinstance(e, dict) and e.get("email")],
    }


def _referral(referral: Any) -> dict[str, str]:
    """Click-to-WhatsApp ads: where the ad ran as utm_source, the ad's id as ad_id."""
    if not isinstance(referral, dict):
        return {}
    url = str(referral.get("source_url", ""))
    source = "instagram" if "instagram." in url else "facebook"
    found = {"utm_source": source, "utm_medium": str(referral.get("source_type") or "ad"),
             "ad_id": referral.get("source_id"), "ad_headline": referral.get("headline"),
             "ctwa_clid": referral.get("ctwa_clid"), "page_url": url or None}
    return {k: str(v)[:500] for k, v in found.items() if v}


def _time(value: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return datetime.now(UTC)


def outbound_event(account: str, wa_id: str, message_id: str, text: str,
                   manager: str | None) -> ContactEvent:
    """The timeline entry of a reply our number sent to `wa_id`."""
    return ContactEvent(
        channel="whatsapp", external_id=message_id, occurred_at=datetime.now(UTC),
        identities=(RawIdentity("whatsapp", wa_id.lstrip("+")),), text=text,
        attribution={"whatsapp": account}, direction="outbound",
        details={"account": account, "wa_id": wa_id, "manager": manager, "reply": True},
    )
