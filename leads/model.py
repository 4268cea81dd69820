"""The one event type every channel produces, and what intake answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

ChannelName = Literal["call", "email", "telegram", "webform", "sms", "whatsapp", "instagram"]
IdentityKind = Literal[
    "phone", "email", "telegram", "telegram_username", "instagram", "whatsapp"
]
Direction = Literal["inbound", "outbound"]
CallbackSignal = Literal["request", "fulfilled"]


@dataclass(frozen=True, slots=True)
class RawIdentity:
    """An identity as the channel saw it, before normalization (`+7 912…`, `Ivan@X.ru`)."""

    kind: IdentityKind
    value: str


@dataclass(frozen=True, slots=True)
class ContactEvent:
    """One contact from any channel, normalized to a single shape (DESIGN.md §3).

    `region` is the ISO country used for phone numbers written without a country code
    (a per-form or per-channel override of the service default). `replies_to` names
    external ids of earlier events of the same channel this one answers (mail threads):
    intake puts the touch on their lead. `ignored` is a reason when the channel knows
    the contact is no lead (bounce, auto-reply, honeypot): intake records it and stops.
    `callback` asks intake to open (`request`, a missed call) or close (`fulfilled`) a
    callback on the customer's lead. Outbound events join an open lead but never open one.
    """

    channel: ChannelName
    external_id: str
    occurred_at: datetime
    identities: tuple[RawIdentity, ...] = ()
    name: str | None = None
    subject: str | None = None
    text: str | None = None
    attribution: Mapping[str, str] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)
    raw_ref: str | None = None
    raw: bytes | None = None
    region: str | None = None
    direction: Direction = "inbound"
    replies_to: tuple[str, ...] = ()
    callback: CallbackSignal | None = None
    ignored: str | None = None


@dataclass(frozen=True, slots=True)
class IntakeResult:
    """What intake answers once the event is durably stored."""

    touch_id: int | None
    lead_id: int | None
    customer_id: int | None
    deduplicated: bool = False
    ignored: str | None = None
    manager_name: str | None = None
    """Who the new lead was offered to (for "{manager} will call you"); None if it waits."""
    quarantined: int | None = None
    """The quarantine entry a banned contact's event was kept in (no touch, no lead)."""


@dataclass(frozen=True, slots=True)
class InboundTouch:
    """One of the customer's inbound touches, as the store keeps it."""

    channel: str
    external_id: str
    occurred_at: datetime
    subject: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    attribution: Mapping[str, Any] = field(default_factory=dict)
    phone: str | None = None
    """The customer's phone on this touch (E.164), where it had one."""


@dataclass(frozen=True, slots=True)
class ReplyRoute:
    """Where a reply goes: channel, the account that sends it, the customer's address on it."""

    channel: str
    account: str
    address: str
    answers: InboundTouch | None = None
    """The touch the reply answers (its thread, its sender number); None for a fresh one."""

    @property
    def sender_key(self) -> str:
        """`channel:account`: the name of the sender that can carry this reply."""
        return f"{self.channel}:{self.account}"


class ReplySender(Protocol):
    """A channel that can answer a customer; returns the outbound event to record."""

    async def send_reply(self, route: ReplyRoute, text: str, manager: str | None) -> ContactEvent:
        """Deliver `text`; raises InvalidEvent (refused) or ChannelUnavailable (retry later)."""
        ...


Sink = Callable[[ContactEvent], Awaitable[IntakeResult]]
"""Hands an event to intake; returns after commit, raises `StoreUnavailable` if it could not."""


def reaches_customer(event: ContactEvent) -> bool:
    """Whether the event is us reaching the customer: a message sent, or an answered call out.

    This is the one hook for "contacted": every channel's outbound touch (a relayed Telegram
    reply, an SMS, a mail, the workspace's Reply) counts, naming its manager in
    `details["manager_id"]`; a call counts only when the customer picked up.
    """
    if event.direction != "outbound" or event.ignored is not None:
        return False
    return event.channel != "call" or event.details.get("disposition") == "answered"


def acting_manager(event: ContactEvent) -> int | None:
    """The manager an outbound event names in `details["manager_id"]`, if any."""
    value = event.details.get("manager_id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)
