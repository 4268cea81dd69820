"""Choosing the manager: sticky owner, least loaded then longest idle, else the queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from routing.choice import Candidate, choose
from routing.hours import WorkingHours

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def member(id: int, load: int = 0, available: bool = True, capacity: int = 5,
           idle_minutes: int | None = None, hours: str = "") -> Candidate:
    last = NOW - timedelta(minutes=idle_minutes) if idle_minutes is not None else None
    return Candidate(id, f"m{id}", available, WorkingHours.parse(hours), capacity, load, last)


def test_owner_who_is_available_and_working_keeps_the_customer() -> None:
    choice = choose([member(1), member(2, load=3)], member(2, load=3), NOW)

    assert (choice.manager_id, choice.reason) == (2, "sticky owner")


def test_owner_away_hands_the_lead_to_the_least_loaded() -> None:
    choice = choose([member(1, load=2), member(2), member(3, load=1)],
                    member(2, available=False), NOW)

    assert choice.manager_id == 3
    assert choice.considered[0]["skipped"] == "owner: away"


def test_equal_load_goes_to_who_waited_longest_and_new_members_first() -> None:
    assert choose([member(1, idle_minutes=5), member(2, idle_minutes=50)], None, NOW
                  ).manager_id == 2
    assert choose([member(1, idle_minutes=5), member(2)], None, NOW).manager_id == 2


def test_everyone_at_capacity_or_off_duty_means_the_team_queue() -> None:
    choice = choose([member(1, load=5), member(2, hours="Sat 09:00-10:00 UTC")], None, NOW)

    assert choice.manager_id is None
    assert [c["skipped"] for c in choice.considered] == ["at capacity (5/5)",
                                                          "outside working hours"]


def test_managers_already_offered_the_lead_are_skipped() -> None:
    assert choose([member(1), member(2, load=1)], None, NOW, exclude=[1]).manager_id == 2


def test_a_free_member_who_speaks_the_customers_language_is_preferred() -> None:
    russian = Candidate(1, "olga", True, WorkingHours.always(), 5, 0, None, ("ru",))
    uzbek = Candidate(2, "aziz", True, WorkingHours.always(), 5, 3, None, ("uz", "ru"))

    choice = choose([russian, uzbek], None, NOW, language="uz")

    assert choice.manager_id == 2
    assert choice.considered[0]["skipped"].startswith("another member speaks")


def test_language_is_only_a_preference_when_nobody_speaks_it() -> None:
    russian = Candidate(1, "olga", True, WorkingHours.always(), 5, 0, None, ("ru",))

    assert choose([russian], None, NOW, language="lt").manager_id == 1
