"""How many queued items a group-commit transaction takes: a fixed cost plus a cost per item.

A group's wall time is modelled as `fixed + per_item * n`, fitted by least squares to the last
`_WINDOW` groups. The two parts ask for opposite things, and telling them apart is the point:
- the per-item part is what a smaller group saves: when items themselves are slow, a group
  takes only what fits the budget, `(budget - fixed) / per_item`, so the items taken first are
  answered sooner rather than all of them waiting for the last;
- the fixed part (begin, commit, the round trips and, on a busy event loop, every coroutine
  that runs while the group awaits) is paid once per transaction whatever its size. Shrinking
  a group cannot make it fit a budget the fixed part overruns; it only splits a backlog into
  more transactions, each paying it again: the last item waits longer, each item costs more
  CPU, and on a saturated machine that inflates the fixed part further. So a group may always
  grow until its items' part is at least the fixed part (`fixed / per_item` items): the writer
  then spends no less than half of each transaction on items.
A wall time per item (the fixed part spread over the items) cannot tell the two apart: under
load it blames the items, shrinks the groups, and groups of one are the dearest of all.
Taking the whole backlog regardless would wrong a store that is slow per item, where splitting
costs the last item nothing and answers the first ones sooner.
The fit needs groups of different sizes, which a varying backlog gives on its own. A first
group's cost is read as all per item (the cautious reading). When the window holds groups of
about one size (a steady backlog at the limit), the split last told apart is kept, scaled to
what those groups cost, and the next group is a probe of another size (half as large again,
or half when already at the most) so that the split is learned afresh rather than assumed.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable

_WINDOW = 16  # the groups the model is fitted to: recent enough to follow a change of load
_SPREAD = 1 / 16  # sizes whose deviation is under this share of their mean cannot be told apart
_ROUNDING = 1e-9  # a fit that says 4.9999999999 items means 5


class GroupSizer:
    """Learns a group's cost from the groups committed, and says how many the next may take."""

    def __init__(self, max_group: int, budget: float) -> None:
        self._max_group = max_group
        self._budget = budget
        self._groups: deque[tuple[int, float]] = deque(maxlen=_WINDOW)
        self._fixed_items = 0.0  # the fixed part in items' worth, as last told apart
        self._fitted: tuple[float, float] | None = None

    def learn(self, items: int, seconds: float) -> None:
        """Note that one transaction of `items` took `seconds`."""
        self._groups.append((items, seconds))
        self._fitted = _fit(self._groups)
        if self._fitted is not None:
            fixed, per_item = self._fitted
            self._fixed_items = fixed / per_item if per_item > 0 else math.inf

    def costs(self) -> tuple[float, float]:
        """The model: (fixed seconds per transaction, seconds per item); zeros before any group."""
        if self._fitted is not None:
            return self._fitted
        if not self._groups:
            return 0.0, 0.0
        mean_n = sum(n for n, _ in self._groups) / len(self._groups)
        mean_t = sum(t for _, t in self._groups) / len(self._groups)
        if math.isinf(self._fixed_items):
            return mean_t, 0.0
        per_item = mean_t / (self._fixed_items + mean_n)
        return per_item * self._fixed_items, per_item

    def limit(self) -> int:
        """How many items the next group may take (at least 1, at most max_group)."""
        fixed, per_item = self.costs()
        limit = self._max_group
        if per_item > 0:
            fits = (self._budget - fixed) / per_item
            amortised = fixed / per_item
            limit = max(1, min(limit, math.floor(max(fits, amortised) + _ROUNDING)))
        if self._fitted is not None or len(self._groups) < _WINDOW:
            return limit
        # A window of one size: a probe of another size lets the next fit tell the parts apart.
        if limit < self._max_group:
            return min(self._max_group, limit + max(1, limit // 2))
        return max(1, limit // 2)


def _fit(groups: Iterable[tuple[int, float]]) -> tuple[float, float] | None:
    """(fixed, per item) by least squares, or None when the groups' sizes were too alike."""
    sizes = [n for n, _ in groups]
    times = [t for _, t in groups]
    mean_n, mean_t = sum(sizes) / len(sizes), sum(times) / len(times)
    var_n = sum((n - mean_n) ** 2 for n in sizes) / len(sizes)
    if mean_n <= 0 or var_n < (_SPREAD * mean_n) ** 2:
        return None
    cov = sum((n - mean_n) * (t - mean_t) for n, t in zip(sizes, times, strict=True)) / len(sizes)
    per_item = cov / var_n
    fixed = mean_t - per_item * mean_n
    if fixed < 0:  # noise says "cheaper than free": no fixed part, all per item
        return 0.0, mean_t / mean_n
    if per_item <= 0:  # size made no difference: all fixed
        return mean_t, 0.0
    return fixed, per_item
