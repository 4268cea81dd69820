"""The mail-loop guard: a sender writing more than N mails in M minutes is a runaway robot."""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol


class RecentMarks(Protocol):
    """Counts shared by every process: the distinct items marked under a key lately."""

    async def count(self, key: str, item: str, at: datetime, window: timedelta) -> int: ...

    async def count_all(self, marks: Sequence[tuple[str, str]], at: datetime,
                        window: timedelta) -> list[int]: ...


class LoopGuard:
    """Counts recent mails per sender (bounded memory); says when a sender loops."""

    def __init__(self, max_mails: int, window: timedelta, senders: int = 10_000) -> None:
        self._max = max_mails
        self._window = window
        self._senders = senders
        self._seen: OrderedDict[str, deque[tuple[datetime, str]]] = OrderedDict()

    def loops(self, sender: str, message_id: str, at: datetime) -> bool:
        """Record the mail; True when the sender is over the limit (a redelivery counts once)."""
        recent = self._seen.pop(sender.lower(), deque())
        while recent and at - recent[0][0] > self._window:
            recent.popleft()
        if all(seen != message_id for _, seen in recent):
            recent.append((at, message_id))
        while len(recent) > self._max + 1:
            recent.popleft()
        self._seen[sender.lower()] = recent
        while len(self._seen) > self._senders:
            self._seen.popitem(last=False)
        return len(recent) > self._max


class SharedLoopGuard:
    """The loop guard over counts every process shares (the store): one sender, one count."""

    def __init__(self, marks: RecentMarks, max_mails: int, window: timedelta) -> None:
        self._marks = marks
        self._max = max_mails
        self._window = window

    async def loops(self, sender: str, message_id: str, at: datetime) -> bool:
        """Record the mail; True when the sender is over the limit (a redelivery counts once)."""
        return await self._marks.count(sender, message_id, at, self._window) > self._max

    async def loops_all(self, mails: Sequence[tuple[str, str]], at: datetime) -> list[bool]:
        """`loops` for each (sender, message id) in turn, counted in one go."""
        counts = await self._marks.count_all(mails, at, self._window) if mails else []
        return [count > self._max for count in counts]
