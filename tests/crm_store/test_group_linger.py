"""A lone item waits for company only while waiting has been bringing some."""

from __future__ import annotations

import pytest

from crm_store.group_linger import Linger


def _lone_items_until_a_wait(linger: Linger) -> int:
    for taken in range(1, 1000):
        if linger.wait_for_lone_item():
            return taken
    raise AssertionError("no lone item ever waited")


def test_lone_items_are_committed_at_once_but_for_a_probe_every_128th() -> None:
    linger = Linger(0.02)

    assert [_lone_items_until_a_wait(linger) for _ in range(3)] == [128, 128, 128]
    assert not linger.waiting


def test_a_probe_that_found_no_company_leaves_waiting_off() -> None:
    linger = Linger(0.02)
    _lone_items_until_a_wait(linger)
    linger.learn(company=False)

    assert not linger.waiting
    assert not linger.wait_for_lone_item()


def test_company_turns_waiting_on_for_every_lone_item() -> None:
    linger = Linger(0.02)
    linger.learn(company=True)

    assert linger.waiting
    assert all(linger.wait_for_lone_item() for _ in range(100))


def test_four_waits_in_a_row_without_company_turn_waiting_off() -> None:
    linger = Linger(0.02)
    linger.learn(company=True)
    for _ in range(3):
        linger.learn(company=False)
    assert linger.waiting

    linger.learn(company=False)

    assert not linger.waiting


def test_company_between_misses_keeps_waiting_on() -> None:
    linger = Linger(0.02)
    linger.learn(company=True)
    for _ in range(10):
        for _ in range(3):
            linger.learn(company=False)
        linger.learn(company=True)

    assert linger.waiting


def test_no_linger_never_waits_not_even_to_probe() -> None:
    linger = Linger(0.0)
    linger.learn(company=True)

    assert not any(linger.wait_for_lone_item() for _ in range(100))


def test_a_wait_pauses_after_twice_the_usual_gap_between_arrivals() -> None:
    linger = Linger(0.02)
    for n in range(200):
        linger.arrived(n * 0.003)  # a steady 333 a second

    assert linger.pause() == pytest.approx(0.006)


def test_a_wait_goes_on_to_its_deadline_while_the_gap_is_unknown_or_long() -> None:
    unknown = Linger(0.02)
    rare = Linger(0.02)
    for n in range(200):
        rare.arrived(n * 5.0)  # one every five seconds

    assert unknown.pause() == rare.pause() == 0.02
