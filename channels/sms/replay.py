"""Replays of signed gateway requests: a Plivo nonce used twice, a Vonage signature too old.

A signature proves who sent a request, not when: someone who captured one signed request could
send it again. Plivo signs a nonce, Vonage a timestamp; both are checked after the signature.
Nonces are remembered in this process for the window (documented: per process).
"""

from __future__ import annotations

from collections import OrderedDict

WINDOW_SECONDS = 300.0
_REMEMBERED = 100_000


class ReplayGuard:
    """Remembers nonces for `window` seconds and judges signed timestamps against it."""

    def __init__(self, window: float = WINDOW_SECONDS) -> None:
        self.window = window
        self._nonces: OrderedDict[str, float] = OrderedDict()

    def first_use(self, nonce: str, now: float) -> bool:
        """True the first time `nonce` is seen within the window (and remember it)."""
        while self._nonces and (
            len(self._nonces) >= _REMEMBERED
            or next(iter(self._nonces.values())) < now - self.window
        ):
            self._nonces.popitem(last=False)
        if nonce in self._nonces:
            return False
        self._nonces[nonce] = now
        return True

    def recent(self, unix_seconds: object, now: float) -> bool:
        """True when a signed `timestamp` field is within the window of now."""
        text = str(unix_seconds or "")
        if not (text.isascii() and text.isdigit() and len(text) <= 12):
            return False
        return abs(now - int(text)) <= self.window
