"""Catching form bots without telling them: signed render stamps and answers that look real.

A bot that is told it was caught learns to avoid the trap, so a caught post is answered exactly
like a stored one, with ids that continue the ones real posts got. The render stamp is the time
the snippet was served, signed: a post made faster than a person can fill the form is a bot's.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
from dataclasses import dataclass

from leads.model import IntakeResult

STAMP_FIELD = "_lg_stamp"
_MAX_STAMP_AGE = 24 * 3600.0


class FillStamps:
    """Issues and checks `<unix seconds>.<signature>` stamps for one form key at a time."""

    def __init__(self, secret: str | None) -> None:
        # Without a configured secret each process signs with its own: stamps then verify only
        # on the process that issued them (documented: set stamp_secret with several processes).
        self._secret = (secret or secrets.token_hex(32)).encode()

    def issue(self, form_key: str, now: float) -> str:
        """A stamp for a snippet served now."""
        moment = str(int(now))
        return f"{moment}.{self._sign(form_key, moment)}"

    def seconds_since(self, form_key: str, stamp: str | None, now: float) -> float | None:
        """How long ago a genuine stamp was issued; None for a missing, forged or stale one."""
        moment, _, signature = (stamp or "").partition(".")
        if not moment.isascii() or not moment.isdigit() or len(moment) > 12:
            return None
        if not hmac.compare_digest(signature.encode(), self._sign(form_key, moment).encode()):
            return None
        age = now - int(moment)
        return age if -60 <= age <= _MAX_STAMP_AGE else None

    def _sign(self, form_key: str, moment: str) -> str:
        message = f"{form_key}.{moment}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:32]


def filled_too_fast(stamps: FillStamps, form_key: str, stamp: str | None, minimum: float,
                    now: float) -> bool:
    """True when the form demands a fill time and this post did not show one."""
    if minimum <= 0:
        return False
    age = stamps.seconds_since(form_key, stamp, now)
    return age is None or age < minimum


@dataclass
class DecoyIds:
    """Ids for a caught bot's answer that continue the sequence real posts are given."""

    touch_id: int = 0
    lead_id: int = 0
    customer_id: int = 0

    def __post_init__(self) -> None:
        start = random.randrange(100, 1000)
        self.touch_id = self.touch_id or start
        self.lead_id = self.lead_id or start
        self.customer_id = self.customer_id or start

    def saw(self, result: IntakeResult) -> None:
        """Remember the ids a real post was given."""
        self.touch_id = max(self.touch_id, result.touch_id or 0)
        self.lead_id = max(self.lead_id, result.lead_id or 0)
        self.customer_id = max(self.customer_id, result.customer_id or 0)

    def next(self) -> IntakeResult:
        """A plausible result for a post that was not stored as a lead."""
        self.touch_id += random.randint(1, 3)
        self.lead_id += random.randint(1, 2)
        self.customer_id += random.randint(1, 2)
        return IntakeResult(self.touch_id, self.lead_id, self.customer_id)
