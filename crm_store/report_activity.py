"""Report reads for missed-call recovery, response-time spread and when leads come in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.report_funnel import Scope
from crm_store.report_percentiles import MEDIAN, P90, TOTAL, Measure, percentiles, seconds_between
from crm_store.tables import leads

RESPONSE_BOUNDS = (60, 300, 900, 3600, 14400)
"""Upper bounds (seconds) of the response-time buckets; the last bucket is open-ended."""


async def missed_calls(conn: AsyncConnection, scope: Scope) -> dict[str, Any]:
    """Callbacks asked in the scope: how many were made, in time, and how fast."""
    requested = leads.c.callback_requested_at
    window = scope.where(requested)
    done = leads.c.callback_done_at
    row = (await conn.execute(
        select(
            func.count().label("missed"),
            func.count(done).label("called_back"),
            func.sum(case((done <= leads.c.callback_due_at, 1), else_=0)).label("in_time"),
        ).where(window)
    )).one()
    seconds = seconds_between(done, requested, conn.dialect.name)
    spread = await percentiles(conn, literal(TOTAL), [Measure("callback", seconds, False)],
                               window, (MEDIAN, P90))
    times = spread["callback"].get(TOTAL, {})
    return {
        "missed": row.missed,
        "called_back": row.called_back,
        "called_back_in_time": int(row.in_time or 0),
        "median_callback_seconds": times.get("median"),
        "p90_callback_seconds": times.get("p90"),
        "never_called_back": row.missed - row.called_back,
    }


def _bucket(moment: str, dialect: str) -> Any:
    seconds = seconds_between(leads.c[moment], leads.c.created_at, dialect)
    # SQLite's julianday arithmetic is a few microseconds off whole seconds: allow a millisecond.
    return case(
        (leads.c[moment].is_(None), None),
        *((seconds < bound - 0.001, n) for n, bound in enumerate(RESPONSE_BOUNDS)),
        else_=len(RESPONSE_BOUNDS),
    )


async def response_buckets(conn: AsyncConnection, scope: Scope) -> dict[str, list[int]]:
    """How many leads opened in the scope were accepted, and contacted, within each bucket
    (one scan: leads are counted per pair of buckets)."""
    found = {"accepted_at": [0] * (len(RESPONSE_BOUNDS) + 1),
             "contacted_at": [0] * (len(RESPONSE_BOUNDS) + 1)}
    pair = [_bucket(moment, conn.dialect.name).label(moment) for moment in found]
    rows = await conn.execute(
        select(*pair, func.count().label("n"))
        .where(scope.opened(), or_(leads.c.accepted_at.is_not(None),
                                   leads.c.contacted_at.is_not(None)))
        .group_by(*pair)
    )
    for row in rows:
        for moment, counts in found.items():
            if getattr(row, moment) is not None:
                counts[int(getattr(row, moment))] += row.n
    return found


def _utc_hour(conn: AsyncConnection) -> Any:
    if conn.dialect.name == "sqlite":
        return func.strftime("%Y-%m-%d %H", leads.c.created_at)
    return func.date_trunc("hour", func.timezone("UTC", leads.c.created_at))


async def leads_by_utc_hour(conn: AsyncConnection, scope: Scope) -> list[tuple[datetime, int]]:
    """Leads opened in the scope, counted per UTC hour (the hour's start, aware)."""
    hour = _utc_hour(conn).label("hour")
    rows = await conn.execute(
        select(hour, func.count().label("n")).where(scope.opened()).group_by(hour)
    )
    return [(_hour(row.hour), row.n) for row in rows]


def _hour(value: str | datetime) -> datetime:
    if isinstance(value, str):
        value = datetime.strptime(value, "%Y-%m-%d %H")
    return value.replace(tzinfo=UTC)
