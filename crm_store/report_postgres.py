"""The funnel on PostgreSQL in one scan: counts and `percentile_cont` per key and in total.

`GROUPING SETS ((key), ())` gives the rows and the totals line together; SQLite, which has
neither, takes the window-function path in `report_funnel` to the same numbers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.report_funnel import TIME_NAMES, Scope, group_key, source_of
from crm_store.report_percentiles import MEDIAN, P90, seconds_between
from crm_store.tables import leads
from leads.statuses import CLOSED_STATUSES


async def funnel(
    conn: AsyncConnection, by: str, scope: Scope
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The rows (key, counts, times) and the totals of leads opened in the scope."""
    key = group_key(by)
    status = leads.c.status
    times = []
    for moment, name in (("accepted_at", "accept"), ("contacted_at", "contact")):
        seconds = seconds_between(leads.c[moment], leads.c.created_at, "postgresql")
        times += [func.percentile_cont(r.num / r.den).within_group(seconds).label(
            f"{name}_{r.name}") for r in (MEDIAN, P90)]
    query = (
        select(
            key.label("key"),
            func.grouping(key).label("is_total"),
            func.count().label("leads"),
            func.count(leads.c.accepted_at).label("accepted"),
            func.count(leads.c.contacted_at).label("contacted"),
            *(func.count(case((status == s, 1))).label(s) for s in CLOSED_STATUSES),
            *times,
        )
        .select_from(source_of(by))
        .where(scope.opened())
        .group_by(func.grouping_sets(key, text("()")))
    )
    rows, totals = [], {}
    for row in await conn.execute(query):
        found = dict(row._mapping)
        for name in TIME_NAMES:
            if found[name] is not None:
                found[name] = round(float(found[name]), 3)
        if found.pop("is_total"):
            found.pop("key")
            totals = found
        else:
            rows.append(found)
    return rows, totals
