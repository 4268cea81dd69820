"""What each channel last reported about itself, for /healthz."""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChannelState:
    """One channel's last reported state."""

    state: str
    detail: str = ""


class Health:
    """A HealthReporter that keeps the last state of each channel."""

    def __init__(self) -> None:
        self.channels: dict[str, ChannelState] = {}

    def report(self, channel: str, state: str, detail: str = "") -> None:
        """Record a channel's state; log changes."""
        previous = self.channels.get(channel)
        self.channels[channel] = ChannelState(state, detail)
        if previous is None or previous.state != state:
            log.info("channel %s is %s %s", channel, state, detail)

    @property
    def healthy(self) -> bool:
        """True unless some channel is misconfigured or failed."""
        return all(s.state in ("ok", "connecting", "disabled") for s in self.channels.values())
