"""Loops that run once in the cluster: each under the supervisor, where this process holds it."""

from __future__ import annotations

import logging
from typing import Any

from channels.base import Channel, Sink
from crm_store.singleton_locks import LockLost, SingletonLocks
from leadgate.health import Health
from leadgate.supervisor import supervise

log = logging.getLogger(__name__)

# Loops every process runs: the SMTP listener (each host takes mail) and the notifier consumers
# (RabbitMQ hands each message to one of them). Every other loop runs once in the cluster.
RUN_EVERYWHERE = frozenset({"smtp", "notifiers"})


async def supervise_once(locks: SingletonLocks | None, channel: Channel, sink: Sink,
                         health: Health, max_backoff: float = 60.0) -> None:
    """Supervise `channel` while this process holds its lock; stand by while another does.

    Without locks (SQLite: one process) the channel simply runs here.
    """
    if locks is None or channel.name in RUN_EVERYWHERE:
        await supervise(channel, sink, health, max_backoff)
        return
    def elsewhere(holder: str) -> None:
        health.report(channel.name, "standby", f"run by {holder}")

    while True:
        health.report(channel.name, "starting", "waiting for its cluster lock")
        try:
            await locks.run_held(channel.name,
                                 lambda: supervise(channel, sink, health, max_backoff), elsewhere)
            return
        except LockLost:
            continue  # stopped at once; take it again when the lock is free


def singletons(locks: SingletonLocks | None) -> dict[str, dict[str, Any]]:
    """For /healthz: per singleton, whether this process runs it, and which process does."""
    if locks is None:
        return {}
    return {name: {"here": holder == locks.identity, "holder": holder}
            for name, holder in sorted(locks.holders().items())}
