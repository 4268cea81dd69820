"""Handing parsed mail to intake, with the mail-loop guard in front (IMAP and SMTP alike)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Protocol, runtime_checkable

from channels.email.loop_guard import LoopGuard, RecentMarks, SharedLoopGuard
from channels.email.settings import LoopGuardSettings
from leads.errors import InvalidEvent
from leads.model import ContactEvent, IntakeResult, Sink, utcnow

Outcome = IntakeResult | BaseException


@runtime_checkable
class BatchSink(Protocol):
    """A sink that also stores a batch in one commit group (the service's intake writer)."""

    async def store_all(self, events: list[ContactEvent]) -> list[Outcome]:
        """Each event's result or error, in order."""
        ...


class MailDelivery:
    """Stores mail events; a runaway sender's mail is recorded as ignored (`mail_loop`)."""

    def __init__(self, sink: Sink, guard: LoopGuardSettings | None = None,
                 marks: RecentMarks | None = None) -> None:
        settings = guard or LoopGuardSettings()
        window = timedelta(minutes=settings.minutes)
        self._sink = sink
        self._local = LoopGuard(settings.max_mails, window)
        self._shared = SharedLoopGuard(marks, settings.max_mails, window) if marks else None

    async def __call__(self, event: ContactEvent) -> IntakeResult:
        """Store the event durably (raises StoreUnavailable like the sink)."""
        event = await self._guarded(event)
        try:
            return await self._sink(event)
        except InvalidEvent as err:
            return await self._sink(_unusable(event, err))

    async def all(self, events: list[ContactEvent]) -> list[Outcome]:
        """Store a batch, in one commit group when the sink takes batches; each outcome in order.

        Like one call per event, a failure is that event's outcome; the loop guard checks the
        batch at once, so its failure is every event's (none was stored).
        """
        sink = self._sink
        if not isinstance(sink, BatchSink):
            return await asyncio.gather(*(self(e) for e in events), return_exceptions=True)
        try:
            guarded = await self._guarded_all(events)
        except Exception as err:
            return [err] * len(events)
        return await self._store_all(sink, guarded)

    async def _guarded_all(self, events: list[ContactEvent]) -> list[ContactEvent]:
        at = utcnow()
        checked = [(n, str(e.details["reply_to"]), e.external_id) for n, e in enumerate(events)
                   if e.ignored is None and e.details.get("reply_to")]
        mails = [(sender, message_id) for _, sender, message_id in checked]
        if self._shared is not None:
            loops = await self._shared.loops_all(mails, at)
        else:
            loops = [self._local.loops(sender, message_id, at) for sender, message_id in mails]
        looping = {n for (n, _, _), loop in zip(checked, loops, strict=True) if loop}
        return [replace(e, ignored="mail_loop") if n in looping else e
                for n, e in enumerate(events)]

    async def _store_all(self, sink: BatchSink, events: list[ContactEvent]) -> list[Outcome]:
        outcomes = await _stored(sink, events)
        refused = {n: o for n, o in enumerate(outcomes) if isinstance(o, InvalidEvent)}
        if refused:
            again = await _stored(sink, [_unusable(events[n], e) for n, e in refused.items()])
            for n, outcome in zip(refused, again, strict=True):
                outcomes[n] = outcome
        return outcomes

    async def _guarded(self, event: ContactEvent) -> ContactEvent:
        sender = event.details.get("reply_to")
        if event.ignored is None and sender and await self._loops(str(sender), event.external_id):
            return replace(event, ignored="mail_loop")
        return event

    async def _loops(self, sender: str, message_id: str) -> bool:
        """Counted in the store when given one (every process alike), else in this process."""
        if self._shared is not None:
            return await self._shared.loops(sender, message_id, utcnow())
        return self._local.loops(sender, message_id, utcnow())


def _unusable(event: ContactEvent, refusal: InvalidEvent) -> ContactEvent:
    # Refusing would leave the mail to be read again forever: keep it, as no lead.
    return replace(event, ignored=f"unusable: {refusal.code}")


async def _stored(sink: BatchSink, events: list[ContactEvent]) -> list[Outcome]:
    """The sink's outcomes; its own failure (not running, say) is every event's outcome."""
    try:
        return await sink.store_all(events) if events else []
    except Exception as err:
        return [err] * len(events)
