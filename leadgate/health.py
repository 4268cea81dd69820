"""What each channel and loop last said about itself, kept in memory for /healthz and /metrics.

States: `ok` (doing its job: listening, idle on IDLE, polling, ticking, connected), `starting`,
`degraded` (working, but not fully), `down` (retrying with backoff), `misconfigured` (stopped
until the configuration changes), `standby` (a cluster singleton held by another process),
`stopped` (the service is shutting down).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from leads.model import utcnow

log = logging.getLogger(__name__)

GOOD_STATES = frozenset({"ok", "standby"})
"""States in which a component does what it should (or lets its cluster peer do it)."""
_LEGACY = {"connecting": "starting", "unavailable": "down"}


@dataclass(frozen=True, slots=True)
class ComponentState:
    """One channel's or loop's last reported state."""

    state: str
    detail: str = ""
    since: datetime | None = None
    last_event_at: datetime | None = None
    silent: bool = False

    @property
    def up(self) -> bool:
        """True when the component is doing its job."""
        return self.state in GOOD_STATES

    def as_json(self, channel: bool) -> dict[str, object]:
        """The /healthz entry; channels also say when they last handed over an event."""
        entry: dict[str, object] = {
            "state": self.state, "detail": self.detail,
            "since": self.since.isoformat() if self.since else None,
        }
        if channel:
            entry["last_event_at"] = self.last_event_at.isoformat() if self.last_event_at else None
            entry["silent"] = self.silent
        return entry


class Health:
    """A HealthReporter keeping the last state of each channel and loop, with since-times."""

    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        self.channels: dict[str, ComponentState] = {}
        self._loop_names: set[str] = set()
        self._clock = clock
        self.loops = LoopHealth(self)
        """Where loops (relay, SLA timer, notifiers, integrations) report: shown under loops."""

    def is_loop(self, name: str) -> bool:
        """True when `name` reported as a loop rather than a channel."""
        return name in self._loop_names

    def report(self, channel: str, state: str, detail: str = "", *, loop: bool = False) -> None:
        """Record a component's state (the since-time moves only on a change); log changes."""
        if loop:
            self._loop_names.add(channel)
        state = _LEGACY.get(state, state)
        previous = self.channels.get(channel)
        if previous is not None and previous.state == state:
            self.channels[channel] = replace(previous, detail=detail)
            return
        kept = previous or ComponentState(state)
        self.channels[channel] = replace(kept, state=state, detail=detail, since=self._clock())
        level = logging.INFO if state in GOOD_STATES | {"starting", "stopped"} else logging.WARNING
        log.log(level, "%s %s is %s%s", self._kind(channel), channel, state,
                f": {detail}" if detail else "",
                extra={"component": channel, "state": state})

    def event(self, channel: str, at: datetime | None = None) -> None:
        """A channel handed over an event (the silence watch and /healthz read it)."""
        at = at or self._clock()
        current = self.channels.get(channel) or ComponentState("ok", since=at)
        self.channels[channel] = replace(current, last_event_at=at)

    def set_silent(self, channel: str, silent: bool) -> None:
        """Mark a channel silent (no event for longer than it should be) or heard again."""
        current = self.channels.get(channel)
        if current is not None:
            self.channels[channel] = replace(current, silent=silent)

    def snapshot(self) -> dict[str, dict[str, dict[str, object]]]:
        """Channels and loops as /healthz shows them."""
        out: dict[str, dict[str, dict[str, object]]] = {"channels": {}, "loops": {}}
        for name, state in sorted(self.channels.items()):
            is_loop = self.is_loop(name)
            out["loops" if is_loop else "channels"][name] = state.as_json(not is_loop)
        return out

    @property
    def healthy(self) -> bool:
        """True when every component is doing its job (or waiting its turn in the cluster)."""
        return all(s.up for s in self.channels.values())

    @property
    def status(self) -> str:
        """`ok`, `starting` (nothing wrong, something not up yet) or `degraded`."""
        states = {s.state for s in self.channels.values()} - GOOD_STATES
        if not states:
            return "ok"
        return "starting" if states <= {"starting"} else "degraded"

    def _kind(self, name: str) -> str:
        return "loop" if self.is_loop(name) else "channel"


LoopReporter = Callable[[str], Callable[[str, str], None]]
"""Gives a loop's name its `report(state, detail)`."""


class LoopHealth:
    """The health table as loops report to it (a HealthReporter): their names show as loops."""

    def __init__(self, health: Health) -> None:
        self._health = health

    def report(self, channel: str, state: str, detail: str = "") -> None:
        """Record a loop's state."""
        self._health.report(channel, state, detail, loop=True)

    def reporter(self, name: str) -> Callable[[str, str], None]:
        """How one loop (the relay, the SLA timer) reports its state and detail."""
        return lambda state, detail: self.report(name, state, detail)
