"""The contract between a channel adapter and the rest of Leadgate."""

from __future__ import annotations

from typing import Any, Protocol

from aiohttp import web

from leads.model import ContactEvent, IntakeResult, RawIdentity, Sink

__all__ = [
    "Channel",
    "ContactEvent",
    "CursorStore",
    "HealthReporter",
    "IntakeResult",
    "RawIdentity",
    "Sink",
    "WebhookChannel",
    "error_response",
]


class Channel(Protocol):
    """A long-running adapter: translates native input into events until cancelled.

    `run` sets up at the top, cleans up in `finally`, stops on cancellation, and raises
    `ChannelUnavailable` (retry with backoff) or `ChannelMisconfigured` (stop, report).
    """

    name: str

    async def run(self, sink: Sink) -> None: ...


class WebhookChannel(Protocol):
    """An adapter that lives inside the HTTP server: it contributes routes, not a loop."""

    name: str

    def routes(self, sink: Sink) -> list[web.AbstractRouteDef]: ...


class CursorStore(Protocol):
    """Durable small state a channel keeps between runs (IMAP UIDVALIDITY and last UID)."""

    async def load(self, key: str) -> dict[str, Any] | None: ...

    async def save(self, key: str, value: dict[str, Any]) -> None: ...


class HealthReporter(Protocol):
    """Where an adapter reports its state for /healthz (`ok`, `connecting`, `misconfigured: …`)."""

    def report(self, channel: str, state: str, detail: str = "") -> None: ...


def error_response(status: int, code: str, detail: str) -> web.Response:
    """The public error answer of every HTTP edge: JSON `{"error": code, "detail": ...}`."""
    return web.json_response({"error": code, "detail": detail}, status=status)
