"""What the workspace needs from the service, handed in by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine


class Desk(Protocol):
    """Changes a lead's routing state (routing's LeadDesk)."""

    async def accept(self, lead_id: int, manager_id: int | None) -> dict[str, Any]: ...

    async def pass_on(self, lead_id: int, manager_id: int) -> dict[str, Any]: ...

    async def close(self, lead_id: int, status: str, manager_id: int | None) -> dict[str, Any]: ...


class Originator(Protocol):
    """Click-to-call: rings the manager's extension, then dials the customer."""

    async def originate(self, extension: str, phone: str) -> str: ...


class Replier(Protocol):
    """Answers the customer on the channel they last wrote on (POST /api/leads/{id}/reply).

    `can_reply` answers an object whose `possible` says whether a reply would go out now.
    """

    async def can_reply(self, lead_id: int) -> Any: ...

    async def reply(self, lead_id: int, text: str, manager: str | None = None) -> Any: ...


@dataclass
class WorkspaceDeps:
    """The store, the desk and the optional telephony and reply paths, with the knobs."""

    engine: AsyncEngine
    desk: Desk
    written: Callable[[], None] = lambda: None
    """Called after an action that may have written to the outbox (wakes the relay)."""
    default_region: str | None = None
    public_url: str | None = None
    timezone: str | None = None
    """The company's time zone: dates for a manager whose working hours name none."""
    originator: Originator | None = None
    """Set when [asterisk] is configured: the card shows Call."""
    replier: Replier | None = None
    """Set when a reply path exists: the card shows Reply."""
    session_lifetime: timedelta = timedelta(days=7)
    throttle_after: int = 5
    throttle_for: timedelta = timedelta(minutes=5)
    live_poll_seconds: float = 0.5

    @property
    def secure_cookies(self) -> bool:
        """Cookies are marked Secure when the service is reached over HTTPS."""
        return bool(self.public_url and self.public_url.lower().startswith("https://"))
