"""Working hours such as "Mon-Fri 09:00-18:00, Sat 10:00-14:00 Asia/Tashkent", as pure maths."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SEGMENT = re.compile(
    r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+"
    r"(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})$"
)
# Adding working time walks at most this many days looking for an open window.
_SEARCH_DAYS = 14


@dataclass(frozen=True)
class Window:
    """One weekday's opening: minutes since midnight, end exclusive."""

    weekday: int
    start: int
    end: int


@dataclass(frozen=True)
class WorkingHours:
    """When someone works, in their own time zone; `always()` for round-the-clock."""

    windows: tuple[Window, ...]
    zone: ZoneInfo | None

    @classmethod
    def always(cls) -> WorkingHours:
        """Hours that are never closed."""
        return cls((), None)

    @classmethod
    def parse(cls, text: str | None) -> WorkingHours:
        """Parse "Mon-Fri 09:00-18:00[, Sat 10:00-14:00] Zone/Name"; ValueError says why not."""
        if not text or not text.strip():
            return cls.always()
        body, _, zone_name = text.strip().rpartition(" ")
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"working hours {text!r} must end with a time zone such as "
                             f"Asia/Tashkent, not {zone_name!r}") from err
        windows: list[Window] = []
        for segment in filter(None, (s.strip() for s in body.replace(";", ",").split(","))):
            windows.extend(_parse_segment(segment.lower(), text))
        if not windows:
            raise ValueError(f"working hours {text!r} name no days")
        return cls(tuple(windows), zone)

    def is_open(self, at: datetime) -> bool:
        """Whether `at` (aware) falls inside the working hours."""
        if self.zone is None:
            return True
        local = at.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        return any(
            w.weekday == local.weekday() and w.start <= minute < w.end for w in self.windows
        )

    def add_working_time(self, start: datetime, span: timedelta) -> datetime:
        """The moment `span` of working time has passed after `start` (the clock stops outside)."""
        if self.zone is None:
            return start + span
        left = span
        cursor = start.astimezone(self.zone)
        for _ in range(_SEARCH_DAYS * 3):
            window_end = self._window_end(cursor)
            if window_end is None:
                cursor = self._next_opening(cursor)
                continue
            available = window_end - cursor
            if left <= available:
                return (cursor + left).astimezone(start.tzinfo)
            left -= available
            cursor = self._next_opening(window_end)
        return start + span  # hours with no opening ahead: fall back to wall-clock time

    def _window_end(self, local: datetime) -> datetime | None:
        minute = local.hour * 60 + local.minute
        for w in self.windows:
            if w.weekday == local.weekday() and w.start <= minute < w.end:
                return _at_minute(local, w.end)
        return None

    def _next_opening(self, local: datetime) -> datetime:
        for offset in range(_SEARCH_DAYS):
            day = local + timedelta(days=offset)
            minute = day.hour * 60 + day.minute if offset == 0 else -1
            starts = sorted(
                w.start for w in self.windows if w.weekday == day.weekday() and w.start > minute
            )
            if starts:
                return _at_minute(day, starts[0])
        return local + timedelta(days=_SEARCH_DAYS)


def _parse_segment(segment: str, text: str) -> list[Window]:
    found = _SEGMENT.match(segment)
    if found is None or found["first"] not in DAYS or (found["last"] or "mon") not in DAYS:
        raise ValueError(f"cannot read {segment!r} in working hours {text!r}; "
                         "write e.g. 'Mon-Fri 09:00-18:00 Asia/Tashkent'")
    first = DAYS.index(found["first"])
    last = DAYS.index(found["last"]) if found["last"] else first
    start, end = _minutes(found["start"], text), _minutes(found["end"], text)
    if end <= start:
        raise ValueError(f"in working hours {text!r}, {segment!r} ends before it starts")
    days = range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)]
    return [Window(day, start, end) for day in days]


def _minutes(clock: str, text: str) -> int:
    hours, minutes = (int(part) for part in clock.split(":"))
    if hours > 24 or minutes > 59 or (hours == 24 and minutes):
        raise ValueError(f"{clock!r} in working hours {text!r} is not a time of day")
    return hours * 60 + minutes


def _at_minute(local: datetime, minute: int) -> datetime:
    midnight = datetime.combine(local.date(), time(0), tzinfo=local.tzinfo)
    return midnight + timedelta(minutes=minute)
