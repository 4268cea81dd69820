"""Silent-channel alerts: the channels with `silent_after_minutes`, and the admins told."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from channels.email.settings import MailboxSettings
from leadgate.compose.store import Store
from leadgate.health import Health
from leadgate.settings import Settings
from leads.errors import ConfigError
from leads.model import utcnow
from routing.hours import WorkingHours
from routing.silence import SilenceWatch, admins_reader, alert_logins, run_silence_watch

_LONGEST_TICK = 30.0  # seconds between checks at most; shorter for very short limits


def silence_limits(raw: Mapping[str, Any]) -> dict[str, float]:
    """`silent_after_minutes` of every channel that sets it, by the channel's /healthz name."""
    tables: list[tuple[str, Any]] = [("webform", raw.get("webforms")), ("sms", raw.get("sms")),
                                     ("smtp", raw.get("smtp")), ("telephony", raw.get("asterisk"))]
    tables += [(f"telegram:{name}", bot)
               for name, bot in raw.get("telegram", {}).get("bots", {}).items()]
    for position, entry in enumerate(raw.get("imap", {}).get("mailboxes", []), start=1):
        name = MailboxSettings.from_toml(entry, position).name
        tables.append((f"imap:{name}", entry))
    limits: dict[str, float] = {}
    for channel, table in tables:
        minutes = (table or {}).get("silent_after_minutes")
        if minutes is None:
            continue
        if not isinstance(minutes, int | float) or isinstance(minutes, bool) or minutes <= 0:
            raise ConfigError(f"{channel}: silent_after_minutes must be a positive number")
        limits[channel] = float(minutes)
    return limits


def silence_watch(settings: Settings, store: Store, health: Health,
                  report: Callable[[str, str], None]) -> Callable[[], Awaitable[None]] | None:
    """The watch loop's body, or None when no channel sets `silent_after_minutes`."""
    limits = silence_limits(settings.raw)
    if not limits:
        return None
    alerts = settings.section("alerts")
    try:
        hours = WorkingHours.parse(alerts.get("hours"))
    except ValueError as err:
        raise ConfigError(f"[alerts] hours: {err}") from err
    try:
        admins = admins_reader(store.engine, alert_logins(alerts, store.routing))
    except ValueError as err:
        raise ConfigError(str(err)) from err
    watch = SilenceWatch(limits, hours, utcnow())
    tick = max(0.05, min(_LONGEST_TICK, min(limits.values()) * 60 / 4))
    return lambda: run_silence_watch(
        watch, lambda: {n: s.last_event_at for n, s in health.channels.items()},
        health.set_silent, admins, store.announce, tick, report)
