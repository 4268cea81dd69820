"""Routing for the phone: which extension a caller rings first, and the screen pop when it rings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store import calls
from routing import messages
from routing.hours import WorkingHours

# Called with keywords: routing_key, payload, message_id (writes the outbox, once per id).
Publish = Callable[..., Awaitable[None]]


class Ringing(Protocol):
    """A call ringing a manager's extension, as the telephony channel reports it."""

    @property
    def extension(self) -> str: ...

    @property
    def caller(self) -> str: ...

    @property
    def caller_name(self) -> str | None: ...

    @property
    def did(self) -> str | None: ...

    @property
    def linkedid(self) -> str: ...


class ScreenPop:
    """Publishes `call.ringing.<manager_id>` with the caller's card summary."""

    def __init__(self, engine: AsyncEngine, publish: Publish) -> None:
        self._engine = engine
        self._publish = publish

    async def __call__(self, call: Ringing) -> None:
        """Announce the ringing call to the manager whose extension rings (if one does)."""
        async with self._engine.connect() as conn:
            manager = await calls.manager_at_extension(conn, call.extension)
            if manager is None:
                return
            card = await calls.caller_card(conn, call.caller)
        message = messages.ringing(manager, call.linkedid, {
            "linkedid": call.linkedid, "caller": call.caller, "caller_name": call.caller_name,
            "did": call.did, "extension": call.extension,
        }, card)
        await self._publish(routing_key=message.routing_key, payload=message.payload,
                            message_id=message.message_id)


async def owner_extension(engine: AsyncEngine, phone: str, now: datetime) -> str:
    """The extension of the manager who owns the caller's card, if they take calls now ('').

    They take calls when available and inside their working hours: an off-duty owner's phone
    is not rung at night, the call goes to the team (the dialplan's queue).
    """
    async with engine.connect() as conn:
        extension, available, hours = await calls.owner_extension(conn, phone)
    if not (available and extension):
        return ""
    try:
        working = WorkingHours.parse(hours)
    except ValueError:  # checked when written; a row edited by hand must not stop calls
        working = WorkingHours.always()
    return extension if working.is_open(now) else ""


async def manager_at(engine: AsyncEngine, extension: str) -> int | None:
    """The id of the manager whose phone has this extension (who answered a call)."""
    async with engine.connect() as conn:
        return await calls.manager_id_at_extension(conn, extension)


async def manager_phone(engine: AsyncEngine, manager_id: int) -> tuple[bool, str | None]:
    """Whether the manager exists, and the extension their phone rings at (click-to-call)."""
    async with engine.connect() as conn:
        return await calls.manager_phone(conn, manager_id)
