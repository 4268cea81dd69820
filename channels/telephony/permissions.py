"""Which AMI permissions the user lacks: known from Asterisk's refusal, said once, on /healthz."""

from __future__ import annotations

import logging

from channels.base import HealthReporter

log = logging.getLogger(__name__)

# The manager.conf classes Leadgate needs: the events it reads, and the actions it sends.
READ_CLASSES = frozenset({"call", "dialplan", "agent", "cdr"})
WRITE_CLASSES = frozenset({"reporting", "originate"})
# What each action needs in manager.conf, and what is lost without it.
NEEDS = {
    "CoreShowChannels": "write = reporting (CoreShowChannels): calls in progress at connect "
    "are adopted only from their Hangup and Cdr, ended ones are not reconciled",
    "Status": "write = reporting (Status): the dialed number of a call in progress at "
    "connect is unknown",
    "Originate": "write = originate (Originate): click-to-call is unavailable",
}


class Permissions:
    """The channel's state: `ok`, or `degraded` naming every permission Asterisk refused."""

    def __init__(self, channel: str, username: str, health: HealthReporter) -> None:
        self._channel = channel
        self._username = username
        self._health = health
        self._missing: dict[str, str] = {}

    def lacks(self, action: str) -> None:
        """Asterisk refused `action` with "Permission denied": log it once, report degraded."""
        if action not in self._missing:
            self._missing[action] = NEEDS[action]
            log.warning("AMI user %s lacks %s", self._username, NEEDS[action])
        self.report()

    def report(self) -> None:
        """Report the state for /healthz (connected: ok unless a permission is missing)."""
        if self._missing:
            detail = "AMI user lacks " + "; ".join(self._missing.values())
            self._health.report(self._channel, "degraded", detail)
        else:
            self._health.report(self._channel, "ok")
