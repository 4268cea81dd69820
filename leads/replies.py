"""Which channel answers a customer: the one they last wrote on, inside its reply window (pure)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from leads.model import InboundTouch, ReplyRoute

REPLY_WINDOWS: Mapping[str, timedelta] = {
    "whatsapp": timedelta(hours=24),   # WhatsApp's customer-service window
    "instagram": timedelta(hours=24),  # Instagram's standard messaging window
}
_WINDOW_NAMES = {"whatsapp": "WhatsApp", "instagram": "Instagram"}


@dataclass(frozen=True, slots=True)
class ReplyRefusal:
    """Why no reply can be sent: `unreachable` or `reply_window_closed`."""

    code: str
    detail: str


def route_of(touch: InboundTouch) -> ReplyRoute | None:
    """The route back along one inbound touch; None for channels that cannot be answered."""
    details, attribution = touch.details, touch.attribution
    address, account = None, None
    if touch.channel == "telegram":
        address, account = details.get("chat_id"), attribution.get("bot")
    elif touch.channel == "whatsapp":
        address, account = details.get("wa_id"), details.get("account")
    elif touch.channel == "instagram":
        address, account = details.get("igsid"), details.get("account")
    elif touch.channel == "sms":
        address, account = touch.phone, details.get("provider")
    elif touch.channel == "email":
        address, account = details.get("reply_to") or details.get("from"), "smtp"
    if not address or not account:
        return None
    return ReplyRoute(touch.channel, str(account), str(address), touch)


def choose_route(
    touches: Sequence[InboundTouch],
    fallbacks: Sequence[ReplyRoute],
    can_send: Callable[[str], bool],
    now: datetime,
) -> ReplyRoute | ReplyRefusal:
    """The route back on the channel the customer last wrote on (touches newest first).

    A form or a call cannot be answered on its own channel: then the first sendable fallback
    (e-mail, SMS to the customer's identities) is used. A messenger outside its reply window
    refuses with the reason rather than switching channel behind the manager's back.
    """
    for touch in touches:
        route = route_of(touch)
        if route is None or not can_send(route.sender_key):
            continue
        window = REPLY_WINDOWS.get(route.channel)
        if window is not None and now - touch.occurred_at > window:
            hours = int(window.total_seconds() // 3600)
            return ReplyRefusal("reply_window_closed", (
                f"{_WINDOW_NAMES[route.channel]} allows replies only within {hours} hours of "
                f"the customer's last message ({touch.occurred_at.isoformat()})"))
        return route
    for route in fallbacks:
        if can_send(route.sender_key):
            return route
    return ReplyRefusal("unreachable", "no configured channel can reach this customer")
