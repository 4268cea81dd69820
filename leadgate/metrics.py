"""Prometheus metrics: one registry per service, a counting sink every channel reports through.

Nothing here may fail a scrape: figures that need the database are refreshed with a timeout,
and while it is down `leadgate_database_up` says 0 and the outbox figures keep their last value.
"""

from __future__ import annotations

import asyncio
import logging
import platform
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.vitals import outbox_vitals
from leadgate.health import Health
from leads.errors import InvalidEvent, StoreUnavailable
from leads.model import ContactEvent, IntakeResult, Sink, utcnow

log = logging.getLogger(__name__)
disable_created_metrics()  # the *_created series only double what Prometheus already knows
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_LAG_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
_LAG_PROBE = 0.01  # seconds between probes: any stall longer than this delays one of them
# Each probe of an idle process is a wake-up of its own, about 0.2 ms of CPU here: at 100 a
# second they were three quarters of an idle service's CPU (22 of 30 ms/s). A process that
# spent under 2 % of a core since the last probe is probed ten times less often; any work
# (a request, a commit, a stall itself) brings the 10 ms probes back at the next probe.
_QUIET_PROBE = 0.1
_BUSY_SHARE = 0.02
_DATABASE_PATIENCE = 2.0  # seconds a scrape waits for the database
_OUTCOME = re.compile(r"[a-z_]+")
Reading = Callable[[], float | Mapping[str, float]]


@dataclass(frozen=True, slots=True)
class MetricReading:
    """A figure another part already keeps (`relay.published`), exported at scrape time."""

    name: str
    documentation: str
    reading: Reading
    label: str = ""
    kind: str = "counter"


class Metrics:
    """The service's metrics; `observe` wraps a channel's sink so every channel is counted alike."""

    def __init__(self, health: Health, readings: Sequence[MetricReading] = ()) -> None:
        self.registry = CollectorRegistry()
        self.health = health
        self.events = Counter(
            "leadgate_channel_events", "Events handed to intake, by channel and outcome.",
            ["channel", "outcome"], registry=self.registry)
        self.latency = Histogram(
            "leadgate_intake_seconds", "From handing an event to intake to its commit.",
            ["channel"], buckets=_LATENCY_BUCKETS, registry=self.registry)
        self.loop_lag = Histogram(
            "leadgate_event_loop_lag_seconds",
            "How late the event loop ran a timer due every 10 ms.",
            buckets=_LAG_BUCKETS, registry=self.registry)
        self.database_up = Gauge(
            "leadgate_database_up", "1 when the database answered the last scrape.",
            registry=self.registry)
        self.outbox_unsent = Gauge(
            "leadgate_outbox_unsent", "Routing messages not yet confirmed by the broker.",
            registry=self.registry)
        self.outbox_lag = Gauge(
            "leadgate_outbox_lag_seconds", "Age of the oldest unsent outbox message (0: none).",
            registry=self.registry)
        Info("leadgate_build", "The running Leadgate.", registry=self.registry).info(
            {"version": _version(), "python": platform.python_version()})
        self._readings = _Readings(readings)
        self._counted: dict[tuple[str, str], Counter] = {}
        self._latencies: dict[str, Histogram] = {}
        self.registry.register(_HealthCollector(health))
        self.registry.register(self._readings)

    def observe(self, component: str, sink: Sink) -> Sink:
        """`sink`, counting each event by channel and outcome and noting it on /healthz."""

        async def observed(event: ContactEvent) -> IntakeResult:
            started = time.perf_counter()
            try:
                result = await sink(event)
            except InvalidEvent:
                self._count(event.channel, "invalid")
                raise
            except StoreUnavailable:
                self._count(event.channel, "store_unavailable")
                raise
            channel = event.channel
            latency = self._latencies.get(channel)
            if latency is None:
                latency = self._latencies[channel] = self.latency.labels(channel)
            latency.observe(time.perf_counter() - started)
            said = outcome(result)
            self._count(channel, said)
            self.health.event(component)
            if log.isEnabledFor(logging.DEBUG):  # its `extra` is built on every event otherwise
                log.debug("%s event stored: %s", component, said, extra={
                    "channel": channel, "component": component, "outcome": said,
                    "lead_id": result.lead_id, "customer_id": result.customer_id,
                    "touch_id": result.touch_id})
            return result

        return observed

    def _count(self, channel: str, said: str) -> None:
        # A labelled child is looked up under a lock each time: keep the ones in use at hand.
        child = self._counted.get((channel, said))
        if child is None:
            child = self._counted[(channel, said)] = self.events.labels(channel, said)
        child.inc()

    async def watch_loop(self) -> None:
        """Measure the event loop's lag (a callback that blocks it shows here) until cancelled."""
        loop = asyncio.get_running_loop()
        period, cpu = _LAG_PROBE, time.process_time()
        while True:
            started = loop.time()
            await asyncio.sleep(period)
            now = loop.time()
            self.loop_lag.observe(max(0.0, now - started - period))
            before, cpu = cpu, time.process_time()
            period = next_probe(cpu - before, now - started)

    async def refresh_database(self, engine: AsyncEngine) -> bool:
        """Ask the database for the outbox figures; False (and database_up 0) if it cannot say."""
        try:
            async with asyncio.timeout(_DATABASE_PATIENCE):
                vitals = await outbox_vitals(engine)
        except Exception:  # any failure here means "the database is not answering"
            self.database_up.set(0)
            return False
        self.database_up.set(1)
        self.outbox_unsent.set(vitals.unsent)
        oldest = vitals.oldest_unsent_at
        self.outbox_lag.set((utcnow() - oldest).total_seconds() if oldest else 0.0)
        return True

    def render(self) -> bytes:
        """The Prometheus text exposition of everything registered."""
        return generate_latest(self.registry)


def next_probe(cpu_seconds: float, elapsed: float) -> float:
    """Seconds until the next loop-lag probe, by the CPU the process spent since the last."""
    return _LAG_PROBE if cpu_seconds > _BUSY_SHARE * elapsed else _QUIET_PROBE


def outcome(result: IntakeResult) -> str:
    """`accepted`, `deduplicated`, or the first word of why the event was ignored (`spam`)."""
    if result.ignored:
        word = _OUTCOME.match(result.ignored.lower())
        return word.group(0)[:32] if word else "ignored"
    return "deduplicated" if result.deduplicated else "accepted"


class _HealthCollector(Collector):
    """Channel and loop states from memory: up, and (channels) silent."""

    def __init__(self, health: Health) -> None:
        self._health = health

    def collect(self) -> Iterator[Metric]:
        """Read the health table as it is now."""
        channel_up = GaugeMetricFamily("leadgate_channel_up", "1 when the channel does its job.",
                                       labels=["channel"])
        silent = GaugeMetricFamily("leadgate_channel_silent",
                                   "1 while the channel is silent for longer than it should be.",
                                   labels=["channel"])
        loop_up = GaugeMetricFamily("leadgate_loop_up", "1 when the loop does its job.",
                                    labels=["loop"])
        for name, state in sorted(self._health.channels.items()):
            if self._health.is_loop(name):
                loop_up.add_metric([name], 1 if state.up else 0)
            else:
                channel_up.add_metric([name], 1 if state.up else 0)
                silent.add_metric([name], 1 if state.silent else 0)
        yield from (channel_up, silent, loop_up)


class _Readings(Collector):
    """Figures kept elsewhere, read when scraped."""

    def __init__(self, readings: Sequence[MetricReading]) -> None:
        self._entries = tuple(readings)

    def collect(self) -> Iterator[Metric]:
        """One family per figure; a reading that fails is left out of this scrape."""
        for entry in self._entries:
            family_type = CounterMetricFamily if entry.kind == "counter" else GaugeMetricFamily
            family = family_type(entry.name, entry.documentation,
                                 labels=[entry.label] if entry.label else None)
            try:
                value = entry.reading()
            except Exception:  # a scrape must never fail because one figure could not be read
                continue
            if isinstance(value, Mapping):
                for key, number in sorted(value.items()):
                    family.add_metric([str(key)], float(number))
            else:
                family.add_metric([], float(value))
            yield family


def _version() -> str:
    try:
        return metadata.version("leadgate")
    except metadata.PackageNotFoundError:
        return "unknown"
