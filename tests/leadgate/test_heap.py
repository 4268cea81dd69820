"""After start-up the collector leaves start-up's objects alone and still collects later cycles."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from leadgate.heap import YOUNG_GENERATION, settle_after_start


class Node:
    """A thing that can sit in a reference cycle."""

    other: Node | None = None


@pytest.fixture
def settled() -> Iterator[None]:
    threshold = gc.get_threshold()
    settle_after_start()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_what_start_up_built_is_exempt_from_later_collections(settled: None) -> None:
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == YOUNG_GENERATION


def test_a_cycle_made_after_start_up_is_still_collected(settled: None) -> None:
    first, second = Node(), Node()
    first.other, second.other = second, first
    gone = weakref.ref(first)
    del first, second
    gc.collect()
    assert gone() is None
