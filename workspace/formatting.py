"""How dates, ages, durations, phones and sources read on the pages (pure functions)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from workspace.i18n import Translator

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def zone(name: str | None) -> ZoneInfo:
    """The named time zone, UTC when unknown or unset."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def zone_of_hours(hours: str | None) -> str | None:
    """The time zone that working hours end with ("Mon-Fri 09:00-18:00 Asia/Tashkent")."""
    last = (hours or "").strip().rpartition(" ")[2]
    return last if "/" in last or last == "UTC" else None


def when(moment: datetime | None, tz: ZoneInfo, lang: str, now: datetime) -> str:
    """A date and time in the reader's zone; the year only when it is not this year's."""
    if moment is None:
        return ""
    local, today = moment.astimezone(tz), now.astimezone(tz)
    clock = local.strftime("%H:%M")
    if lang == "en":
        day = f"{_EN_MONTHS[local.month - 1]} {local.day}"
        return f"{day}, {clock}" if local.year == today.year else f"{day} {local.year}, {clock}"
    day = local.strftime("%d.%m") if local.year == today.year else local.strftime("%d.%m.%Y")
    return f"{day} {clock}"


def age(moment: datetime | None, now: datetime, t: Translator) -> str:
    """How long ago, in the largest whole unit: now, 5 min, 3 h, 2 d."""
    if moment is None:
        return ""
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        return t("age.now")
    if seconds < 3600:
        return t("age.minutes", n=seconds // 60)
    if seconds < 86400:
        return t("age.hours", n=seconds // 3600)
    return t("age.days", n=seconds // 86400)


def duration(seconds: float | None) -> str:
    """Seconds as m:ss (h:mm:ss past an hour)."""
    if seconds is None:
        return ""
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def countdown(deadline: datetime | None, now: datetime) -> str:
    """Time left until a deadline as m:ss ("0:00" once passed)."""
    if deadline is None:
        return ""
    return duration(max(0.0, (deadline - now).total_seconds()))


@lru_cache(maxsize=8192)
def phone(value: str | None) -> str:
    """An E.164 number written the international way (+998 90 123 45 67)."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def local_time(info: Mapping[str, Any], now: datetime) -> str:
    """The time now where the phone is (its first time zone), e.g. 15:04."""
    zones = info.get("time_zones") or []
    return now.astimezone(zone(zones[0])).strftime("%H:%M") if zones else ""


def source(attribution: Mapping[str, Any] | None, channel: str) -> str:
    """Where a lead came from: utm_source, the dialed number's source or the form, else ""."""
    attribution = attribution or {}
    for key in ("utm_source", "source", "form"):
        value = attribution.get(key)
        if isinstance(value, str) and value:
            return value if value != channel else ""
    return ""


def overdue(due: datetime | None, now: datetime) -> bool:
    """Whether a due time has passed."""
    return due is not None and due <= now


def iso(moment: datetime | None) -> str:
    """An ISO 8601 UTC timestamp for the page's scripts."""
    return moment.isoformat() if moment else ""
