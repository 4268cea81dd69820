"""Telegram messages → ContactEvent (pure: no I/O, no bot calls)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from aiogram.enums import ContentType
from aiogram.types import Message, User

from leads.model import ContactEvent, RawIdentity

# Telegram's own rule for deep-link payloads (t.me/<bot>?start=<payload>).
_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def external_id(chat_id: int, message_id: int) -> str:
    """The channel's id of a message: `<chat_id>:<message_id>` (unique per chat)."""
    return f"{chat_id}:{message_id}"


def start_attribution(payload: str | None) -> dict[str, str]:
    """Attribution from a `/start <payload>` deep link: the payload, and `<source>-<campaign>`."""
    if not payload or not _PAYLOAD.match(payload):
        return {}
    attribution = {"start_payload": payload}
    source, _, campaign = payload.partition("-")
    if source:
        attribution["utm_source"] = source
    if campaign:
        attribution["utm_campaign"] = campaign
    return attribution


def is_own_contact(message: Message) -> bool:
    """True when the shared contact is the sender's own (Telegram fills its user_id)."""
    contact, sender = message.contact, message.from_user
    return contact is not None and sender is not None and contact.user_id == sender.id


def international(phone: str) -> str:
    """A Telegram contact number in international form (Telegram often omits the '+')."""
    digits = phone.strip()
    return digits if digits.startswith("+") else f"+{digits}"


def message_event(
    message: Message,
    bot_name: str,
    region: str | None = None,
    attribution: dict[str, str] | None = None,
    edited: bool = False,
) -> ContactEvent:
    """The touch one incoming message makes: who wrote, what, and of which type."""
    sender = message.from_user
    details = _details(message, bot_name, sender)
    if edited:
        details["edited"] = True
    return ContactEvent(
        channel="telegram",
        external_id=external_id(message.chat.id, message.message_id),
        occurred_at=_utc(message.date),
        identities=_identities(message, sender),
        name=sender.full_name if sender else None,
        text=_text(message),
        attribution={"bot": bot_name, **(attribution or {})},
        details=details,
        raw=message.model_dump_json(exclude_none=True).encode(),
        region=region,
    )


def outbound_event(
    bot_name: str, customer_id: int, sent: Message, manager: str | None = None,
    manager_id: int | None = None,
) -> ContactEvent:
    """The timeline entry for a message our bot sent to a customer (a manager's relayed reply)."""
    details: dict[str, Any] = {"bot": bot_name, "message_type": "text", "relayed": True}
    if manager:
        details["manager"] = manager
    if manager_id is not None:
        details["manager_id"] = manager_id
    return ContactEvent(
        channel="telegram",
        external_id=external_id(sent.chat.id, sent.message_id),
        occurred_at=_utc(sent.date),
        identities=(RawIdentity("telegram", str(customer_id)),),
        text=sent.text,
        attribution={"bot": bot_name},
        details=details,
        direction="outbound",
    )


def _identities(message: Message, sender: User | None) -> tuple[RawIdentity, ...]:
    if sender is None:
        return ()
    found = [RawIdentity("telegram", str(sender.id))]
    if sender.username:
        found.append(RawIdentity("telegram_username", sender.username))
    if message.contact is not None and is_own_contact(message):
        found.append(RawIdentity("phone", international(message.contact.phone_number)))
    return tuple(found)


def _text(message: Message) -> str | None:
    contact = message.contact
    if contact is not None and not is_own_contact(message):
        # Someone else's number is what the customer wrote, not who the customer is.
        person = " ".join(p for p in (contact.first_name, contact.last_name) if p)
        return f"Shared contact: {person} {international(contact.phone_number)}".strip()
    return message.text or message.caption


def _details(message: Message, bot_name: str, sender: User | None) -> dict[str, Any]:
    details: dict[str, Any] = {
        "bot": bot_name,
        "chat_id": message.chat.id,
        "message_type": ContentType(message.content_type).value,
    }
    if sender is not None and sender.language_code:
        details["language"] = sender.language_code
    details.update(_media(message))
    return details


def _media(message: Message) -> dict[str, Any]:
    if message.voice is not None:
        return {"duration": message.voice.duration, "file_id": message.voice.file_id}
    if message.photo:
        largest = max(message.photo, key=lambda size: size.width * size.height)
        return {"file_id": largest.file_id, "width": largest.width, "height": largest.height}
    if message.document is not None:
        doc = message.document
        return {"file_id": doc.file_id, "file_name": doc.file_name, "mime_type": doc.mime_type}
    if message.video is not None:
        return {"duration": message.video.duration, "file_id": message.video.file_id}
    if message.audio is not None:
        return {"duration": message.audio.duration, "file_id": message.audio.file_id}
    if message.contact is not None:
        return {"own_contact": is_own_contact(message)}
    return {}


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
