"""Handing a parsed mail to intake, with the mail-loop guard in front (IMAP and SMTP alike)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from channels.email.loop_guard import LoopGuard
from channels.email.settings import LoopGuardSettings
from leads.errors import InvalidEvent
from leads.model import ContactEvent, IntakeResult, Sink, utcnow


class MailDelivery:
    """Stores one mail's event; a runaway sender's mail is recorded as ignored (`mail_loop`)."""

    def __init__(self, sink: Sink, guard: LoopGuardSettings | None = None) -> None:
        settings = guard or LoopGuardSettings()
        self._sink = sink
        self._guard = LoopGuard(settings.max_mails, timedelta(minutes=settings.minutes))

    async def __call__(self, event: ContactEvent) -> IntakeResult:
        """Store the event durably (raises StoreUnavailable like the sink)."""
        sender = event.details.get("reply_to")
        if event.ignored is None and sender and self._guard.loops(
            str(sender), event.external_id, utcnow()
        ):
            event = replace(event, ignored="mail_loop")
        try:
            return await self._sink(event)
        except InvalidEvent as err:
            # Refusing would leave the mail to be read again forever: keep it, as no lead.
            return await self._sink(replace(event, ignored=f"unusable: {err.code}"))
