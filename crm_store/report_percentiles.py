"""Seconds between a lead's moments and their exact percentiles, read in the database.

Percentiles are computed with window functions on both backends (SQLite has no percentile
aggregate): for each group only the one or two rows around the wanted rank come back, and the
caller interpolates between them as PostgreSQL's `percentile_cont` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.tables import leads

TOTAL = "*"
"""The key of a measure taken over every row, and of a report's totals."""


def seconds_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[Any]:
    """`later - earlier` in seconds, as a float, on either backend."""
    if dialect == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return func.extract("epoch", later - earlier)


@dataclass(frozen=True)
class Rank:
    """One percentile as a fraction `num/den` (0.9 = 9/10), in whole numbers for SQL."""

    name: str
    num: int
    den: int


MEDIAN, P90 = Rank("median", 1, 2), Rank("p90", 9, 10)


@dataclass(frozen=True)
class Measure:
    """Seconds to take percentiles of, per group (`grouped`) or over every row."""

    name: str
    seconds: ColumnElement[Any]
    grouped: bool = True


async def percentiles(
    conn: AsyncConnection,
    keyed: ColumnElement[Any],
    measures: Sequence[Measure],
    where: ColumnElement[bool],
    ranks: Sequence[Rank],
    source: Any = leads,
) -> dict[str, dict[Any, dict[str, float]]]:
    """Per measure and key, the interpolated percentiles, all read in one scan of the rows."""
    key = keyed.label("key")
    columns: list[Any] = [key]
    for n, measure in enumerate(measures):
        group = [key] if measure.grouped else None
        order = (measure.seconds.is_(None), measure.seconds)  # values first on both backends
        columns += [
            measure.seconds.label(f"s{n}"),
            func.row_number().over(partition_by=group, order_by=order).label(f"r{n}"),
            func.count(measure.seconds).over(partition_by=group).label(f"n{n}"),
        ]
    ordered = select(*columns).select_from(source).where(where).subquery()
    wanted = []
    for n in range(len(measures)):
        spot, size, value = ordered.c[f"r{n}"] - 1, ordered.c[f"n{n}"], ordered.c[f"s{n}"]
        for r in ranks:
            for position in ((size - 1) * r.num // r.den,
                             ((size - 1) * r.num + r.den - 1) // r.den):
                wanted.append(and_(value.is_not(None), spot == position))
    found: dict[str, dict[Any, dict[int, float]]] = {m.name: {} for m in measures}
    sizes: dict[str, dict[Any, int]] = {m.name: {} for m in measures}
    for row in await conn.execute(select(ordered).where(or_(*wanted))):
        for n, measure in enumerate(measures):
            value = row._mapping[f"s{n}"]
            if value is None:
                continue
            bucket = row.key if measure.grouped else TOTAL
            found[measure.name].setdefault(bucket, {})[row._mapping[f"r{n}"] - 1] = float(value)
            sizes[measure.name][bucket] = row._mapping[f"n{n}"]
    return {name: {k: {r.name: _interpolate(v, sizes[name][k], r) for r in ranks}
                   for k, v in by_key.items()} for name, by_key in found.items()}


def _interpolate(values: dict[int, float], n: int, rank: Rank) -> float:
    low = (n - 1) * rank.num // rank.den
    fraction = ((n - 1) * rank.num % rank.den) / rank.den
    high = values.get(low + 1, values[low]) if fraction else values[low]
    return round(values[low] + (high - values[low]) * fraction, 3)
