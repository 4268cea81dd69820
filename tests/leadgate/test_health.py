"""Health keeps each component's state, since when, and when a channel last handed over an event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leadgate.health import Health

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _clock(times: list[datetime]):  # type: ignore[no-untyped-def]
    return lambda: times[0]


def test_since_moves_only_when_the_state_changes() -> None:
    now = [T0]
    health = Health(_clock(now))
    health.report("smtp", "ok", "listening")
    now[0] = T0 + timedelta(minutes=5)
    health.report("smtp", "ok", "listening on 2525")

    assert health.channels["smtp"].since == T0
    assert health.channels["smtp"].detail == "listening on 2525"


def test_loops_and_channels_are_shown_apart_and_channels_say_when_they_last_heard() -> None:
    now = [T0]
    health = Health(_clock(now))
    health.loops.report("sla", "ok", "ticking every 5 s")
    health.report("imap:sales", "ok", "idle on IDLE")
    health.event("imap:sales")

    snapshot = health.snapshot()
    assert snapshot["loops"]["sla"] == {"state": "ok", "detail": "ticking every 5 s",
                                        "since": T0.isoformat()}
    assert snapshot["channels"]["imap:sales"]["last_event_at"] == T0.isoformat()
    assert snapshot["channels"]["imap:sales"]["silent"] is False


def test_status_is_ok_starting_or_degraded() -> None:
    health = Health()
    health.report("smtp", "ok")
    health.report("telephony", "connecting")
    assert (health.status, health.channels["telephony"].state) == ("starting", "starting")
    health.report("telephony", "unavailable", "AMI unreachable")
    assert (health.status, health.channels["telephony"].state) == ("degraded", "down")


def test_a_singleton_held_by_another_process_counts_as_healthy() -> None:
    health = Health()
    health.report("outbox", "standby", "held by another process")

    assert health.healthy and health.status == "ok"
