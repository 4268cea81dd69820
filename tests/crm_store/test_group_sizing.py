"""Group sizing tells the fixed cost of a transaction from the cost per item, and sizes by both."""

from __future__ import annotations

import pytest

from crm_store.group_sizing import GroupSizer


def test_before_any_group_a_group_may_take_the_most() -> None:
    assert GroupSizer(64, 0.05).limit() == 64


def test_a_first_group_is_read_cautiously_as_all_per_item() -> None:
    sizer = GroupSizer(64, 0.05)
    sizer.learn(32, 0.32)

    assert sizer.limit() == 5


def test_a_fixed_part_over_the_budget_lets_groups_grow_to_amortise_it() -> None:
    sizer = GroupSizer(64, 0.05)
    for items in (1, 2, 1, 2):
        sizer.learn(items, 0.06 + 0.0005 * items)

    assert sizer.costs() == pytest.approx((0.06, 0.0005))
    assert sizer.limit() == 64


def test_items_slow_beside_the_fixed_part_fill_what_the_budget_leaves() -> None:
    sizer = GroupSizer(64, 0.05)
    for items in (8, 2, 8, 2):
        sizer.learn(items, 0.01 + 0.01 * items)

    assert sizer.limit() == 4


def test_the_split_told_apart_last_is_kept_while_sizes_are_alike() -> None:
    sizer = GroupSizer(64, 0.05)
    for items in (8, *[16] * 16):
        sizer.learn(items, 0.02 + 0.001 * items)
    told = sizer.costs()
    for _ in range(16):
        sizer.learn(16, 2 * (0.02 + 0.001 * 16))  # everything twice as dear, one size only

    assert told == pytest.approx((0.02, 0.001))
    assert sizer.costs() == pytest.approx((0.04, 0.002))


def test_a_window_of_one_size_asks_for_a_probe_of_another() -> None:
    slow = GroupSizer(64, 0.05)
    for _ in range(16):
        slow.learn(1, 0.08)  # groups of one, each over the budget: fixed or per item?
    full = GroupSizer(64, 0.05)
    for items in (32, 64):
        full.learn(items, 0.06 + 0.0001 * items)
    for _ in range(16):
        full.learn(64, 0.06 + 0.0001 * 64)

    assert slow.limit() == 2
    assert full.limit() == 32
