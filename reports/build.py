"""Report assembly: read the store for a period and shape the answers the API and CLI give."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store import report_activity, report_funnel
from reports.period import Period, parse_period

COUNTS = ("leads", "accepted", "contacted", "won", "lost", "spam")
TIMES = ("median_accept_seconds", "p90_accept_seconds", "median_contact_seconds",
         "p90_contact_seconds")
FUNNEL_COLUMNS = ("key", *COUNTS, *TIMES)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
RESPONSE_LABELS = ("<1m", "1-5m", "5-15m", "15-60m", "1-4h", ">4h")


def _now() -> datetime:
    return datetime.now(UTC)


class Reports:
    """Every report, read from one engine and dated in the company's time zone."""

    def __init__(self, engine: AsyncEngine, zone: ZoneInfo,
                 clock: Callable[[], datetime] = _now) -> None:
        self._engine = engine
        self.zone = zone
        self._clock = clock

    def period(self, first: str | None, last: str | None) -> Period:
        """The date range asked for; BadPeriod says what is wrong with it."""
        return parse_period(first, last, self.zone, self._clock().astimezone(self.zone).date())

    async def funnel(self, period: Period, by: str) -> dict[str, Any]:
        """Leads opened in the period, grouped `by` a dimension, with counts and times."""
        if by not in report_funnel.DIMENSIONS:
            raise ValueError(f"by must be one of {', '.join(report_funnel.DIMENSIONS)}")
        start, end = period.start, period.end
        async with self._engine.connect() as conn:
            counts = await report_funnel.funnel_counts(conn, by, start, end)
            times = {moment: await report_funnel.funnel_times(conn, by, start, end, moment)
                     for moment in ("accepted_at", "contacted_at")}
            overall = {moment: await report_funnel.funnel_times(
                conn, report_funnel.TOTAL, start, end, moment)
                for moment in ("accepted_at", "contacted_at")}
        rows = [_funnel_row(row, times, row["key"]) for row in counts]
        rows.sort(key=lambda r: (-r["leads"], str(r["key"])))
        totals = {name: sum(int(r[name]) for r in rows) for name in COUNTS}
        totals.update({k: v for k, v in _times(overall, report_funnel.TOTAL).items()})
        return {**period.describe(), "by": by, "rows": rows, "totals": totals}

    async def missed_calls(self, period: Period) -> dict[str, Any]:
        """Missed calls whose callback was asked in the period, and how they were called back."""
        async with self._engine.connect() as conn:
            answer = await report_activity.missed_calls(conn, period.start, period.end)
        return {**period.describe(), **answer}

    async def response_times(self, period: Period) -> dict[str, Any]:
        """How many leads were accepted and contacted within each response-time bucket."""
        async with self._engine.connect() as conn:
            accept = await report_activity.response_buckets(
                conn, period.start, period.end, "accepted_at")
            contact = await report_activity.response_buckets(
                conn, period.start, period.end, "contacted_at")
        buckets = [{"bucket": label, "accepted": a, "contacted": c}
                   for label, a, c in zip(RESPONSE_LABELS, accept, contact, strict=True)]
        return {**period.describe(), "buckets": buckets}

    async def volume(self, period: Period) -> dict[str, Any]:
        """Leads per day of the period, per hour of the day and per day of the week."""
        async with self._engine.connect() as conn:
            hours = await report_activity.leads_by_utc_hour(conn, period.start, period.end)
        per_day = dict.fromkeys(period.days(), 0)
        per_hour, per_weekday = [0] * 24, [0] * 7
        for stamp, count in hours:
            local = datetime.strptime(stamp, "%Y-%m-%d %H").replace(tzinfo=UTC)
            local = local.astimezone(self.zone)
            day: date = local.date()
            if day in per_day:
                per_day[day] += count
            per_hour[local.hour] += count
            per_weekday[local.weekday()] += count
        return {
            **period.describe(),
            "days": [{"day": d.isoformat(), "leads": n} for d, n in per_day.items()],
            "hours": [{"hour": h, "leads": n} for h, n in enumerate(per_hour)],
            "weekdays": [{"weekday": WEEKDAYS[w], "leads": n} for w, n in enumerate(per_weekday)],
        }

    def today(self) -> date:
        """Today in the company's time zone."""
        return (self._clock().astimezone(self.zone)).date()

    def days_ago(self, days: int) -> date:
        """The day `days` before today in the company's time zone."""
        return self.today() - timedelta(days=days)


def _times(times: dict[str, dict[Any, dict[str, float | None]]], key: Any) -> dict[str, Any]:
    accept = times["accepted_at"].get(key, {})
    contact = times["contacted_at"].get(key, {})
    return {
        "median_accept_seconds": accept.get("median"), "p90_accept_seconds": accept.get("p90"),
        "median_contact_seconds": contact.get("median"), "p90_contact_seconds": contact.get("p90"),
    }


def _funnel_row(counts: dict[str, Any], times: dict[str, Any], key: Any) -> dict[str, Any]:
    row = {"key": key, **{name: int(counts[name] or 0) for name in COUNTS}}
    return {**row, **_times(times, key)}
