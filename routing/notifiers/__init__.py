"""Notifiers reach a manager with a routing message: Telegram and e-mail."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol

log = logging.getLogger(__name__)


class Notifier(Protocol):
    """One way of reaching a manager."""

    async def notify(self, routing_key: str, payload: dict[str, Any]) -> None:
        """Tell the manager the payload names, if this notifier can reach them."""
        ...


class AllNotifiers:
    """Every configured notifier, each told about every message."""

    def __init__(self, notifiers: Sequence[Notifier] = ()) -> None:
        self.notifiers = list(notifiers)
        self.failures: Counter[str] = Counter()
        """Failed notifications by notifier class, for /metrics."""

    async def notify(self, routing_key: str, payload: dict[str, Any]) -> None:
        """Hand the message to each notifier; the first failure is raised after all tried.

        A message marked `"notify": false` is for the team's systems only (AMQP consumers).
        """
        if payload.get("notify") is False:
            return
        failure: Exception | None = None
        for notifier in self.notifiers:
            try:
                await notifier.notify(routing_key, payload)
            except Exception as err:  # one broken notifier must not silence the others
                self.failures[type(notifier).__name__] += 1
                log.warning("%s failed: %s", type(notifier).__name__, type(err).__name__)
                failure = failure or err
        if failure is not None:
            raise failure
