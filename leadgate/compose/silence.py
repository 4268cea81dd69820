"""Silent-channel alerts: the channels with `silent_after_minutes`, and the admins told."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from channels.email.settings import MailboxSettings
from crm_store.staff import SqlStaffStore
from leadgate.compose.store import Store
from leadgate.health import Health
from leadgate.settings import Settings
from leads.errors import ConfigError
from leads.model import utcnow
from routing.hours import WorkingHours
from routing.messages import manager_card
from routing.silence import SilenceWatch, run_silence_watch

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
    logins = alerts.get("managers")
    if logins is None:
        logins = sorted({t.lead for t in store.routing.teams.values() if t.lead})
    if not isinstance(logins, list) or not all(isinstance(x, str) for x in logins):
        raise ConfigError("[alerts] managers must be a list of manager logins")

    async def admins() -> list[dict[str, Any]]:
        async with store.engine.connect() as conn:
            rows = await SqlStaffStore(conn).managers_by_login(logins)
        return [manager_card(row) for row in rows]

    watch = SilenceWatch(limits, hours, utcnow())
    tick = max(0.05, min(_LONGEST_TICK, min(limits.values()) * 60 / 4))
    return lambda: run_silence_watch(
        watch, lambda: {n: s.last_event_at for n, s in health.channels.items()},
        health.set_silent, admins, store.announce, tick, report)
