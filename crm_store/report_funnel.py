"""Report reads over leads: which leads a report reads, and the funnel grouped by one dimension.

The funnel counts leads opened, accepted, contacted and closed per key, with the median and p90
times to acceptance and first contact (`report_percentiles`); `report_postgres` reads the same
funnel in one scan where PostgreSQL can.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.report_percentiles import MEDIAN, P90, TOTAL, Measure, percentiles, seconds_between
from crm_store.routing_tables import managers, teams
from crm_store.tables import leads
from leads.statuses import CLOSED_STATUSES

DIMENSIONS = ("source", "channel", "form", "did", "manager", "team")
TIME_NAMES = ("accept_median", "accept_p90", "contact_median", "contact_p90")


async def report_session(conn: AsyncConnection) -> None:
    """Let this transaction's sorts stay in memory: a year of leads is tens of megabytes."""
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SET LOCAL work_mem = '64MB'"))


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


@dataclass(frozen=True)
class Scope:
    """Which leads a report reads: in [start, end), and only `teams`' when given (a team lead)."""

    start: datetime
    end: datetime
    teams: tuple[str, ...] | None = None

    def where(self, column: Any) -> ColumnElement[bool]:
        """`column` (a moment of the lead) in the range, the lead in the teams."""
        inside = and_(column >= self.start, column < self.end)
        return inside if self.teams is None else and_(inside, leads.c.team.in_(self.teams))

    def opened(self) -> ColumnElement[bool]:
        """Leads opened in the range."""
        return self.where(leads.c.created_at)


def source_of(by: str) -> Any:
    """The rows a funnel by `by` reads: leads, with their manager for `manager`."""
    if by == "manager":
        return leads.outerjoin(managers, managers.c.id == leads.c.manager_id)
    return leads


async def funnel_counts(conn: AsyncConnection, by: str, scope: Scope) -> list[dict[str, Any]]:
    """Per key: leads opened in the scope and how many got accepted, contacted, won, ..."""
    key = group_key(by).label("key")
    status = leads.c.status
    query = (
        select(
            key,
            func.count().label("leads"),
            func.count(leads.c.accepted_at).label("accepted"),
            func.count(leads.c.contacted_at).label("contacted"),
            *(func.sum(case((status == s, 1), else_=0)).label(s) for s in CLOSED_STATUSES),
        )
        .select_from(source_of(by))
        .where(scope.opened())
        .group_by(key)
    )
    return [dict(row._mapping) for row in await conn.execute(query)]


async def funnel_times(
    conn: AsyncConnection, by: str, scope: Scope
) -> dict[str, dict[Any, dict[str, float]]]:
    """Median and p90 seconds from a lead's opening to its acceptance and its first contact:
    `{"accepted_at": {key: {"median", "p90"}}, ..., "all_accepted_at": {"*": {...}}, ...}`."""
    measures = []
    for moment in ("accepted_at", "contacted_at"):
        seconds = seconds_between(leads.c[moment], leads.c.created_at, conn.dialect.name)
        measures += [Measure(moment, seconds), Measure(f"all_{moment}", seconds, grouped=False)]
    return await percentiles(conn, group_key(by), measures,
                             scope.opened(), (MEDIAN, P90),
                             source_of(by))


async def funnel(
    conn: AsyncConnection, by: str, scope: Scope
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The rows (key, counts, times) and the totals of leads opened in the scope."""
    rows = await funnel_counts(conn, by, scope)
    times = await funnel_times(conn, by, scope)

    def timed(found: dict[str, Any], key: Any, prefix: str) -> dict[str, Any]:
        for moment, name in (("accepted_at", "accept"), ("contacted_at", "contact")):
            spread = times[prefix + moment].get(key, {})
            found.update({f"{name}_{r}": spread.get(r) for r in ("median", "p90")})
        return found

    totals = {n: sum(int(r[n] or 0) for r in rows)
              for n in ("leads", "accepted", "contacted", *CLOSED_STATUSES)}
    return [timed(row, row["key"], "") for row in rows], timed(totals, TOTAL, "all_")


async def teams_led_by(conn: AsyncConnection, manager_id: int) -> list[str]:
    """The names of the teams `manager_id` leads (whose reports they may read)."""
    rows = await conn.execute(
        select(teams.c.name).where(teams.c.lead_manager_id == manager_id).order_by(teams.c.name))
    return [row.name for row in rows]
