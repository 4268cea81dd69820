"""Handing a parsed mail to intake, with the mail-loop guard in front (IMAP and SMTP alike)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from channels.email.loop_guard import LoopGuard, RecentMarks, SharedLoopGuard
from channels.email.settings import LoopGuardSettings
from leads.errors import InvalidEvent
from leads.model import ContactEvent, IntakeResult, Sink, utcnow


class MailDelivery:
    """Stores one mail's event; a runaway sender's mail is recorded as ignored (`mail_loop`)."""

    def __init__(self, sink: Sink, guard: LoopGuardSettings | None = None,
                 marks: RecentMarks | None = None) -> None:
        settings = guard or LoopGuardSettings()
        window = timedelta(minutes=settings.minutes)
        self._sink = sink
        self._local = LoopGuard(settings.max_mails, window)
        self._shared = SharedLoopGuard(marks, settings.max_mails, window) if marks else None

    async def __call__(self, event: ContactEvent) -> IntakeResult:
        """Store the event durably (raises StoreUnavailable like the sink)."""
        sender = event.details.get("reply_to")
        if event.ignored is None and sender and await self._loops(str(sender), event.external_id):
            event = replace(event, ignored="mail_loop")
        try:
            return await self._sink(event)
        except InvalidEvent as err:
            # Refusing would leave the mail to be read again forever: keep it, as no lead.
            return await self._sink(replace(event, ignored=f"unusable: {err.code}"))

    async def _loops(self, sender: str, message_id: str) -> bool:
        """Counted in the store when given one (every process alike), else in this process."""
        if self._shared is not None:
            return await self._shared.loops(sender, message_id, utcnow())
        return self._local.loops(sender, message_id, utcnow())
