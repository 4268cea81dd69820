"""Fakes for Leadgate's own ports, for fast unit tests (integration tests use the real store)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from leads.errors import StoreUnavailable
from leads.model import ContactEvent, IntakeResult
from leads.ports import Announcement, Assignment, LeadToOpen, NewLead
from leads.statuses import NEW


class RecordingSink:
    """A sink that keeps events in a list, idempotent on (channel, external_id) like intake."""

    def __init__(self) -> None:
        self.events: list[ContactEvent] = []
        self.failing = False
        self._seen: dict[tuple[str, str], int] = {}

    async def __call__(self, event: ContactEvent) -> IntakeResult:
        if self.failing:
            raise StoreUnavailable("the fake store is down")
        key = (event.channel, event.external_id)
        if key in self._seen:
            touch = self._seen[key]
            return IntakeResult(touch, touch, touch, deduplicated=True, ignored=event.ignored)
        self.events.append(event)
        self._seen[key] = len(self.events)
        touch = len(self.events)
        return IntakeResult(touch, touch, touch, ignored=event.ignored)


class MemoryCursorStore:
    """A CursorStore in a dict."""

    def __init__(self) -> None:
        self.values: dict[str, dict[str, Any]] = {}

    async def load(self, key: str) -> dict[str, Any] | None:
        return self.values.get(key)

    async def save(self, key: str, value: dict[str, Any]) -> None:
        self.values[key] = dict(value)


class RecordingHealth:
    """A HealthReporter that remembers the last state of each channel."""

    def __init__(self) -> None:
        self.states: dict[str, tuple[str, str]] = {}

    def report(self, channel: str, state: str, detail: str = "") -> None:
        self.states[channel] = (state, detail)


class NoRouting:
    """A LeadRouter that leaves every new lead unassigned."""

    async def assign(self, routing: object, leads: Sequence[LeadToOpen]) -> list[Assignment]:
        return [Assignment(NEW) for _ in leads]

    async def announce(self, routing: object, opened: Sequence[tuple[NewLead, Assignment]]
                       ) -> None:
        return None

    def announcements(self, opened: Sequence[tuple[NewLead, Assignment]]
                      ) -> list[Announcement]:
        return []
