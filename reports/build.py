"""Report assembly: read the store for a period and shape the answers the API and CLI give."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from crm_store import report_activity, report_funnel, report_postgres
from crm_store.report_funnel import Scope
from leads.statuses import CLOSED_STATUSES
from reports.period import Period, parse_period

COUNTS = ("leads", "accepted", "contacted", *CLOSED_STATUSES)
TIMES = ("median_accept_seconds", "p90_accept_seconds", "median_contact_seconds",
         "p90_contact_seconds")
FUNNEL_COLUMNS = ("key", *COUNTS, *TIMES)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
RESPONSE_LABELS = ("<1m", "1-5m", "5-15m", "15-60m", "1-4h", ">4h")


def _now() -> datetime:
    return datetime.now(UTC)


class Reports:
    """Every report, read from one engine and dated in the company's time zone.

    With `teams`, only those teams' leads count (what a team lead sees).
    """

    def __init__(self, engine: AsyncEngine, zone: ZoneInfo,
                 clock: Callable[[], datetime] = _now,
                 teams: Sequence[str] | None = None) -> None:
        self._engine = engine
        self.zone = zone
        self._clock = clock
        self.teams = tuple(teams) if teams is not None else None

    def _scope(self, period: Period) -> Scope:
        return Scope(period.start, period.end, self.teams)

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[AsyncConnection]:
        async with self._engine.connect() as conn:
            await report_funnel.report_session(conn)
            yield conn

    def period(self, first: str | None, last: str | None) -> Period:
        """The date range asked for; BadPeriod says what is wrong with it."""
        return parse_period(first, last, self.zone, self._clock().astimezone(self.zone).date())

    async def funnel(self, period: Period, by: str) -> dict[str, Any]:
        """Leads opened in the period, grouped `by` a dimension, with counts and times."""
        if by not in report_funnel.DIMENSIONS:
            raise ValueError(f"by must be one of {', '.join(report_funnel.DIMENSIONS)}")
        async with self._read() as conn:
            read = (report_postgres.funnel if conn.dialect.name == "postgresql"
                    else report_funnel.funnel)
            found, overall = await read(conn, by, self._scope(period))
        rows = [{"key": row["key"], **_shaped(row)} for row in found]
        rows.sort(key=lambda r: (-r["leads"], str(r["key"])))
        totals = _shaped(overall)
        return {**period.describe(), "by": by, "rows": rows, "totals": totals}

    async def missed_calls(self, period: Period) -> dict[str, Any]:
        """Missed calls whose callback was asked in the period, and how they were called back."""
        async with self._read() as conn:
            answer = await report_activity.missed_calls(conn, self._scope(period))
        return {**period.describe(), **answer}

    async def response_times(self, period: Period) -> dict[str, Any]:
        """How many leads were accepted and contacted within each response-time bucket."""
        async with self._read() as conn:
            found = await report_activity.response_buckets(conn, self._scope(period))
        accept, contact = found["accepted_at"], found["contacted_at"]
        buckets = [{"bucket": label, "accepted": a, "contacted": c}
                   for label, a, c in zip(RESPONSE_LABELS, accept, contact, strict=True)]
        return {**period.describe(), "buckets": buckets}

    async def volume(self, period: Period) -> dict[str, Any]:
        """Leads per day of the period, per hour of the day and per day of the week."""
        async with self._read() as conn:
            hours = await report_activity.leads_by_utc_hour(conn, self._scope(period))
        per_day = dict.fromkeys(period.days(), 0)
        per_hour, per_weekday = [0] * 24, [0] * 7
        for hour, count in hours:
            local = hour.astimezone(self.zone)
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


def _shaped(found: dict[str, Any]) -> dict[str, Any]:
    counts = {name: int(found.get(name) or 0) for name in COUNTS}
    return {**counts, **{public: found.get(name) for public, name in zip(
        TIMES, report_funnel.TIME_NAMES, strict=True)}}
