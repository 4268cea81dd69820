"""Silent-channel alerts: a channel with no event for its `silent_after_minutes` of working time
tells the admins once (`channel.silent.<manager>`), and again when events come back
(`channel.recovered.<manager>`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.staff import SqlStaffStore
from leads.model import utcnow
from routing.config import RoutingConfig
from routing.hours import WorkingHours
from routing.messages import OutboxMessage, manager_card

log = logging.getLogger(__name__)

Publish = Callable[[str, dict[str, Any], str], Awaitable[None]]
Admins = Callable[[], Awaitable[Sequence[dict[str, Any]]]]


@dataclass(frozen=True, slots=True)
class Change:
    """A channel fell silent (`silent`) or was heard again (`recovered`)."""

    channel: str
    kind: str
    since: datetime
    """When the channel was last heard (or watched from, if never heard)."""
    minutes: float


class SilenceWatch:
    """Which channels are silent for longer than allowed; pure, fed the last event times."""

    def __init__(self, limits: Mapping[str, float], hours: WorkingHours,
                 started_at: datetime) -> None:
        self.limits = dict(limits)
        self._hours = hours
        self._started_at = started_at
        self.silent: dict[str, datetime] = {}
        """Silent channels and the last-heard time their silence counts from."""

    def check(self, last_events: Mapping[str, datetime | None], now: datetime) -> list[Change]:
        """The channels that fell silent or came back since the last `settle`d check."""
        changes: list[Change] = []
        for channel, minutes in self.limits.items():
            heard = last_events.get(channel) or self._started_at
            quiet_since = self.silent.get(channel)
            if quiet_since is not None and heard > quiet_since:
                changes.append(Change(channel, "recovered", heard, minutes))
            elif quiet_since is None and now >= self._deadline(heard, minutes):
                changes.append(Change(channel, "silent", heard, minutes))
        return changes

    def settle(self, change: Change) -> None:
        """Record a change once it was announced (an unannounced one is found again)."""
        if change.kind == "silent":
            self.silent[change.channel] = change.since
        else:
            self.silent.pop(change.channel, None)

    def _deadline(self, heard: datetime, minutes: float) -> datetime:
        return self._hours.add_working_time(heard, timedelta(minutes=minutes))


def alert(change: Change, admin: dict[str, Any]) -> OutboxMessage:
    """`channel.silent.<admin>` / `channel.recovered.<admin>`, once per silence and admin."""
    event = f"channel.{change.kind}"
    return OutboxMessage(
        f"{event}:{change.channel}:{change.since.isoformat()}:{admin['id']}",
        f"{event}.{admin['id']}",
        {"event": event, "channel": change.channel, "since": change.since.isoformat(),
         "silent_after_minutes": change.minutes, "manager": admin},
    )


async def run_silence_watch(watch: SilenceWatch, last_events: Callable[[], Mapping[str, Any]],
                            mark: Callable[[str, bool], None], admins: Admins, publish: Publish,
                            tick_seconds: float,
                            report: Callable[[str, str], None] = lambda s, d: None) -> None:
    """Check every `tick_seconds` until cancelled; alerts go through the outbox."""
    while True:
        for change in watch.check(last_events(), utcnow()):
            for admin in await admins():
                message = alert(change, admin)
                await publish(message.routing_key, message.payload, message.message_id)
            watch.settle(change)
            mark(change.channel, change.kind == "silent")
            log.warning("channel %s is %s (last heard %s)", change.channel, change.kind,
                        change.since.isoformat(), extra={"channel": change.channel})
        report("ok", f"watching {len(watch.limits)} channels")
        await asyncio.sleep(tick_seconds)


def alert_logins(alerts: Mapping[str, Any], routing: RoutingConfig) -> list[str]:
    """Who hears of a silent channel: `[alerts] managers`, else every team's lead."""
    logins = alerts.get("managers")
    if logins is None:
        return sorted({team.lead for team in routing.teams.values() if team.lead})
    if not isinstance(logins, list) or not all(isinstance(x, str) for x in logins):
        raise ValueError("[alerts] managers must be a list of manager logins")
    return logins


def admins_reader(engine: AsyncEngine,
                  logins: Sequence[str]) -> Callable[[], Awaitable[list[dict[str, Any]]]]:
    """Reads the alerted managers' cards afresh on every alert (a phone may have changed)."""
    async def admins() -> list[dict[str, Any]]:
        async with engine.connect() as conn:
            rows = await SqlStaffStore(conn).managers_by_login(logins)
        return [manager_card(row) for row in rows]

    return admins
