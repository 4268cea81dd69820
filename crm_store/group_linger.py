"""Whether a lone queued item waits a few milliseconds for company: only while waiting pays.

A group's transaction costs PostgreSQL about the same whatever its size, so a writer that
takes a lone item and commits it at once pays that cost per item. At a steady few hundred
items a second each item is alone when taken, yet another follows within milliseconds:
waiting for those shares the cost (DESIGN §8: "up to N events or a few milliseconds").
When items come one at a time (a single client that waits for each answer, or a quiet hour)
nothing can arrive while a writer waits: the wait only delays the answer. So, as PostgreSQL's
`commit_delay` waits only while other transactions are active, a writer waits only while
recent waits brought company: every `_PROBE_EVERY`-th lone item it would not wait for is a
probe that waits once; company turns waiting on, `_MISSES` waits in a row without any turn it
off again.
A wait ends at its deadline, or sooner once arrivals pause for twice their usual gap: clients
that each wait for an answer come back in a burst after a commit, and nothing follows the
burst until the next one, so waiting past it would only delay them all.
"""

from __future__ import annotations

# One lone item in this many waits to see whether waiting would pay now: fewer than one in a
# hundred, so that one client at a time sees no probe below its 99th percentile.
_PROBE_EVERY = 128
_MISSES = 4  # waits in a row that brought no company before waiting stops
_GAP_WEIGHT = 1 / 8  # how much the latest gap between arrivals moves their usual gap


class Linger:
    """Decides how long a writer waits with a lone item, and learns whether waiting paid."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        """The longest a lone item waits (0: never)."""
        self._waiting = False
        self._misses = 0
        self._lone_since_probe = 0
        self._last_arrival: float | None = None
        self._gap = seconds  # the usual gap between arrivals; unknown at first: the whole wait

    @property
    def waiting(self) -> bool:
        """Whether lone items wait for company now (recent waits brought some)."""
        return self._waiting

    def arrived(self, at: float) -> None:
        """Note that an item (or a batch) was queued at `at` seconds (a monotonic clock)."""
        if self._last_arrival is not None:
            self._gap += (min(at - self._last_arrival, self.seconds) - self._gap) * _GAP_WEIGHT
        self._last_arrival = at

    def pause(self) -> float:
        """How long after the last arrival a wait goes on: twice the usual gap, at most all."""
        return min(self.seconds, 2 * self._gap)

    def wait_for_lone_item(self) -> bool:
        """Whether a lone item just taken waits for company (else it is committed now)."""
        if self.seconds <= 0:
            return False
        if self._waiting:
            return True
        self._lone_since_probe += 1
        if self._lone_since_probe < _PROBE_EVERY:
            return False
        self._lone_since_probe = 0
        return True

    def learn(self, company: bool) -> None:
        """Note whether the wait just made brought another item."""
        if company:
            self._waiting, self._misses = True, 0
            return
        self._misses += 1
        if self._misses >= _MISSES:
            self._waiting, self._misses = False, 0
