"""Working hours: parsing, being open, and adding working time across closed hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from routing.hours import WorkingHours

TASHKENT_WEEKDAYS = "Mon-Fri 09:00-18:00 Asia/Tashkent"  # UTC+5


def test_a_weekday_afternoon_in_tashkent_is_open() -> None:
    hours = WorkingHours.parse(TASHKENT_WEEKDAYS)

    assert hours.is_open(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))  # Monday 15:00 local
    assert not hours.is_open(datetime(2026, 11, 23, 14, 0, tzinfo=UTC))  # 19:00 local
    assert not hours.is_open(datetime(2026, 11, 22, 10, 0, tzinfo=UTC))  # Sunday


def test_no_hours_means_always_open() -> None:
    assert WorkingHours.parse("").is_open(datetime(2026, 11, 22, 3, 0, tzinfo=UTC))


def test_several_segments_and_a_saturday_are_read() -> None:
    hours = WorkingHours.parse("Mon-Fri 09:00-18:00, Sat 10:00-14:00 Europe/Vilnius")

    assert hours.is_open(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))  # Saturday 11:00 local
    assert not hours.is_open(datetime(2026, 11, 28, 13, 0, tzinfo=UTC))  # 15:00 local


def test_accept_time_stops_at_closing_and_resumes_next_morning() -> None:
    hours = WorkingHours.parse(TASHKENT_WEEKDAYS)
    friday_evening = datetime(2026, 11, 27, 12, 58, tzinfo=UTC)  # 17:58 local

    deadline = hours.add_working_time(friday_evening, timedelta(minutes=5))

    assert deadline == datetime(2026, 11, 30, 4, 3, tzinfo=UTC)  # Monday 09:03 local


def test_accept_time_given_outside_hours_starts_at_opening() -> None:
    hours = WorkingHours.parse(TASHKENT_WEEKDAYS)

    deadline = hours.add_working_time(datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
                                      timedelta(minutes=5))

    assert deadline == datetime(2026, 11, 23, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize("text", [
    "Mon-Fri 09:00-18:00", "Mon-Fri 09:00-18:00 Mars/Base", "Funday 09:00-18:00 UTC",
    "Mon 18:00-09:00 UTC", "Mon 25:00-26:00 UTC",
])
def test_unreadable_hours_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(ValueError, match="working hours"):
        WorkingHours.parse(text)
