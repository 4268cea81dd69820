"""A report's date range: whole days in the company's time zone, turned into UTC bounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leads.errors import BadPeriod

MAX_DAYS = 3660
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Period:
    """Days `first` to `last` (both included) in `zone`."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        """The first instant of the range, in UTC."""
        return datetime.combine(self.first, time(), self.zone).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the range, in UTC."""
        return datetime.combine(self.last + timedelta(days=1), time(), self.zone).astimezone(UTC)

    def days(self) -> list[date]:
        """Every day of the range, in order."""
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def describe(self) -> dict[str, str]:
        """The range as reports echo it back."""
        return {"from": self.first.isoformat(), "to": self.last.isoformat(),
                "timezone": self.zone.key}


def zone_named(name: str) -> ZoneInfo:
    """The IANA time zone `name`; ValueError when there is no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ValueError(f"timezone {name!r} is not an IANA time zone name") from err


def parse_period(first: str | None, last: str | None, zone: ZoneInfo, today: date) -> Period:
    """From/to as YYYY-MM-DD (either may be left out: the last 30 days up to today)."""
    end = _day(last, "to") if last else today
    start = _day(first, "from") if first else end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise BadPeriod("from must not be after to")
    if (end - start).days >= MAX_DAYS:
        raise BadPeriod(f"the range may span at most {MAX_DAYS} days")
    return Period(start, end, zone)


def _day(text: str, name: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError as err:
        raise BadPeriod(f"{name} must be a date written YYYY-MM-DD") from err
    if not 1970 <= day.year <= 9000:
        raise BadPeriod(f"{name} must be a year between 1970 and 9000")
    return day
