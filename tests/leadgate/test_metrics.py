"""Every channel is counted by one shared counter, by outcome, with its intake latency."""

from __future__ import annotations

import asyncio
import time
from typing import get_args

import pytest
from prometheus_client.parser import text_string_to_metric_families

from leadgate.health import Health
from leadgate.metrics import MetricReading, Metrics, next_probe
from leads.errors import InvalidEvent, StoreUnavailable
from leads.model import ChannelName, ContactEvent, IntakeResult, utcnow


def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition by name and labels."""
    text = metrics.render().decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def event(channel: str) -> ContactEvent:
    return ContactEvent(channel=channel, external_id="1", occurred_at=utcnow())  # type: ignore[arg-type]


async def stored(e: ContactEvent) -> IntakeResult:
    return IntakeResult(1, 1, 1)


@pytest.mark.parametrize("channel", get_args(ChannelName))
async def test_every_channel_kind_is_counted_through_the_shared_sink(channel: str) -> None:
    health = Health()
    metrics = Metrics(health)
    await metrics.observe(f"{channel}:main", stored)(event(channel))

    found = samples(metrics)
    assert found[("leadgate_channel_events_total",
                  (("channel", channel), ("outcome", "accepted")))] == 1
    assert found[("leadgate_intake_seconds_count", (("channel", channel),))] == 1
    assert health.channels[f"{channel}:main"].last_event_at is not None


async def test_outcomes_say_duplicate_ignored_invalid_and_store_down() -> None:
    metrics = Metrics(Health())

    async def duplicate(e: ContactEvent) -> IntakeResult:
        return IntakeResult(1, 1, 1, deduplicated=True)

    async def bounce(e: ContactEvent) -> IntakeResult:
        return IntakeResult(None, None, None, ignored="bounce: delivery report")

    async def invalid(e: ContactEvent) -> IntakeResult:
        raise InvalidEvent("no contact")

    async def down(e: ContactEvent) -> IntakeResult:
        raise StoreUnavailable("down")

    for sink in (duplicate, bounce):
        await metrics.observe("imap:sales", sink)(event("email"))
    for failing in (invalid, down):
        with pytest.raises((InvalidEvent, StoreUnavailable)):
            await metrics.observe("imap:sales", failing)(event("email"))

    outcomes = {dict(labels)["outcome"]: value for (name, labels), value in samples(metrics).items()
                if name == "leadgate_channel_events_total"}
    assert outcomes == {"deduplicated": 1, "bounce": 1, "invalid": 1, "store_unavailable": 1}


def test_states_readings_and_build_info_are_exported() -> None:
    health = Health()
    health.loops.report("sla", "ok")
    health.report("smtp", "down", "cannot listen")
    metrics = Metrics(health, [
        MetricReading("leadgate_outbox_published", "published", lambda: 12),
        MetricReading("leadgate_notifier_failures", "failures", lambda: {"EmailNotifier": 2},
                      label="notifier"),
        MetricReading("leadgate_broken", "a figure that cannot be read", lambda: 1 / 0),
    ])

    found = samples(metrics)
    assert found[("leadgate_loop_up", (("loop", "sla"),))] == 1
    assert found[("leadgate_channel_up", (("channel", "smtp"),))] == 0
    assert found[("leadgate_outbox_published_total", ())] == 12
    assert found[("leadgate_notifier_failures_total", (("notifier", "EmailNotifier"),))] == 2
    assert any(name == "leadgate_build_info" for name, _ in found)


async def test_a_callback_that_blocks_the_loop_shows_as_loop_lag() -> None:
    metrics = Metrics(Health())
    watching = asyncio.create_task(metrics.watch_loop())
    await asyncio.sleep(0)  # the watcher's first probe is now due in 10 ms
    asyncio.get_running_loop().call_soon(time.sleep, 0.05)  # a callback blocking the loop 50 ms
    await asyncio.sleep(0.03)
    watching.cancel()

    found = samples(metrics)
    assert found[("leadgate_event_loop_lag_seconds_count", ())] >= 1
    assert found[("leadgate_event_loop_lag_seconds_bucket", (("le", "0.025"),))] < found[
        ("leadgate_event_loop_lag_seconds_count", ())]


def test_a_busy_loop_is_probed_every_10_ms_and_a_quiet_one_every_100() -> None:
    assert next_probe(cpu_seconds=0.005, elapsed=0.01) == 0.01  # half a core: busy
    assert next_probe(cpu_seconds=0.003, elapsed=0.1) == 0.01  # 3 % of a core
    assert next_probe(cpu_seconds=0.0001, elapsed=0.01) == 0.1  # 1 %: quiet
    assert next_probe(cpu_seconds=0.0, elapsed=0.1) == 0.1


async def test_a_stall_after_a_quiet_spell_is_still_seen_as_loop_lag() -> None:
    metrics = Metrics(Health())
    watching = asyncio.create_task(metrics.watch_loop())
    await asyncio.sleep(0.05)  # past the first probe: an idle process is now probed slowly
    asyncio.get_running_loop().call_soon(time.sleep, 0.15)  # longer than the quiet period
    await asyncio.sleep(0.3)
    watching.cancel()

    found = samples(metrics)
    assert found[("leadgate_event_loop_lag_seconds_bucket", (("le", "0.025"),))] < found[
        ("leadgate_event_loop_lag_seconds_count", ())]
