"""Report reads over leads: funnel counts and exact percentiles, grouped by one dimension.

Percentiles are computed in the database with window functions on both backends (SQLite has no
percentile aggregate): for each group only the one or two rows around the wanted rank come back,
and the caller interpolates between them as PostgreSQL's `percentile_cont` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.routing_tables import managers
from crm_store.tables import leads

DIMENSIONS = ("source", "channel", "form", "did", "manager", "team")
TOTAL = "*"


def _attribute(key: str) -> ColumnElement[Any]:
    return func.nullif(leads.c.attribution[key].as_string(), "")


def group_key(by: str) -> ColumnElement[Any]:
    """What a funnel groups its leads by (`source`: utm_source, else DID source, else channel)."""
    if by == "source":
        return func.coalesce(_attribute("utm_source"), _attribute("source"), leads.c.channel)
    if by == "channel":
        return leads.c.channel
    if by in ("form", "did"):
        return _attribute(by)
    if by == "manager":
        return managers.c.login
    if by == "team":
        return leads.c.team
    if by == TOTAL:
        return literal(TOTAL)
    raise ValueError(f"unknown dimension {by!r}")


def seconds_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[Any]:
    """`later - earlier` in seconds, as a float, on either backend."""
    if dialect == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return func.extract("epoch", later - earlier)


def _in_range(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def _source(by: str) -> Any:
    if by == "manager":
        return leads.outerjoin(managers, managers.c.id == leads.c.manager_id)
    return leads


async def funnel_counts(
    conn: AsyncConnection, by: str, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Per key: leads opened in [start, end) and how many got accepted, contacted, won, ..."""
    key = group_key(by).label("key")
    status = leads.c.status
    query = (
        select(
            key,
            func.count().label("leads"),
            func.count(leads.c.accepted_at).label("accepted"),
            func.count(leads.c.contacted_at).label("contacted"),
            func.sum(case((status == "won", 1), else_=0)).label("won"),
            func.sum(case((status == "lost", 1), else_=0)).label("lost"),
            func.sum(case((status == "spam", 1), else_=0)).label("spam"),
        )
        .select_from(_source(by))
        .where(_in_range(leads.c.created_at, start, end))
        .group_by(key)
    )
    return [dict(row._mapping) for row in await conn.execute(query)]


@dataclass(frozen=True)
class Rank:
    """One percentile as a fraction `num/den` (0.9 = 9/10), in whole numbers for SQL."""

    name: str
    num: int
    den: int


MEDIAN, P90 = Rank("median", 1, 2), Rank("p90", 9, 10)


async def percentile_rows(
    conn: AsyncConnection,
    keyed: ColumnElement[Any],
    seconds: ColumnElement[Any],
    where: ColumnElement[bool],
    ranks: Sequence[Rank],
    source: Any = leads,
) -> dict[Any, dict[str, float | None]]:
    """Per key, the interpolated percentiles of `seconds` over the rows matching `where`."""
    key = keyed.label("key")
    ordered = (
        select(
            key,
            seconds.label("s"),
            func.row_number().over(partition_by=key, order_by=seconds).label("rn"),
            func.count().over(partition_by=key).label("n"),
        )
        .select_from(source)
        .where(where, seconds.is_not(None))
        .subquery()
    )
    spot = ordered.c.rn - 1
    wanted = [spot == (ordered.c.n - 1) * r.num // r.den for r in ranks] + [
        spot == ((ordered.c.n - 1) * r.num + r.den - 1) // r.den for r in ranks
    ]
    rows = await conn.execute(
        select(ordered.c.key, ordered.c.s, ordered.c.rn, ordered.c.n).where(or_(*wanted))
    )
    by_key: dict[Any, dict[int, float]] = {}
    sizes: dict[Any, int] = {}
    for row in rows:
        by_key.setdefault(row.key, {})[row.rn - 1] = float(row.s)
        sizes[row.key] = row.n
    return {k: {r.name: _interpolate(values, sizes[k], r) for r in ranks}
            for k, values in by_key.items()}


def _interpolate(values: dict[int, float], n: int, rank: Rank) -> float:
    low = (n - 1) * rank.num // rank.den
    fraction = ((n - 1) * rank.num % rank.den) / rank.den
    high = values.get(low + 1, values[low]) if fraction else values[low]
    return round(values[low] + (high - values[low]) * fraction, 3)


async def funnel_times(
    conn: AsyncConnection, by: str, start: datetime, end: datetime, moment: str
) -> dict[Any, dict[str, float | None]]:
    """Per key, median and p90 seconds from a lead's opening to its `moment` column."""
    seconds = seconds_between(leads.c[moment], leads.c.created_at, conn.dialect.name)
    return await percentile_rows(
        conn, group_key(by), seconds, _in_range(leads.c.created_at, start, end),
        (MEDIAN, P90), _source(by),
    )
