"""Loops that run once in the cluster: each under the supervisor, where this process holds it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from channels.base import HealthReporter
from crm_store.singleton_locks import LockLost, SingletonLocks

log = logging.getLogger(__name__)

# Loops every process runs: the SMTP listener (each host takes mail) and the notifier consumers
# (RabbitMQ hands each message to one of them). Every other loop runs once in the cluster.
RUN_EVERYWHERE = frozenset({"smtp", "notifiers"})


async def supervise_once(locks: SingletonLocks | None, name: str,
                         supervised: Callable[[], Awaitable[None]],
                         health: HealthReporter) -> None:
    """Run `supervised` (the supervisor of loop `name`) while this process holds its lock.

    Without locks (SQLite: one process), or for a loop every process runs, it simply runs here.
    """
    if locks is None or name in RUN_EVERYWHERE:
        await supervised()
        return

    def elsewhere(holder: str) -> None:
        health.report(name, "standby", f"run by {holder}")

    while True:
        health.report(name, "starting", "waiting for its cluster lock")
        try:
            await locks.run_held(name, supervised, elsewhere)
            return
        except LockLost:
            continue  # stopped at once; take it again when the lock is free


def singletons(locks: SingletonLocks | None) -> dict[str, dict[str, Any]]:
    """For /healthz: per singleton, whether this process runs it, and which process does."""
    if locks is None:
        return {}
    return {name: {"here": holder == locks.identity, "holder": holder}
            for name, holder in sorted(locks.holders().items())}
