"""GET /app/reports: the funnel, response times, missed-call recovery and volume, as charts.

Admins see every team; a team lead sees the teams they lead; others are refused.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from markupsafe import Markup

from crm_store.report_funnel import DIMENSIONS, teams_led_by
from leads.errors import BadPeriod
from reports import charts, tables
from reports.build import Reports
from reports.period import Period, zone_named
from workspace import pages
from workspace.keys import DEPS, TRANSLATOR
from workspace.viewer import viewer

routes = web.RouteTableDef()


async def _reports(request: web.Request) -> Reports | None:
    """The reports this viewer may read, or None."""
    deps = request.app[DEPS]
    async with deps.engine.connect() as conn:
        me = await viewer(request, conn)
        led = None if me.is_admin else await teams_led_by(conn, me.manager_id)
    if led == []:
        return None
    return Reports(deps.engine, zone_named(deps.timezone or "UTC"), teams=led)


def _chosen(request: web.Request, reports: Reports) -> tuple[Period, str, bool]:
    by = request.query.get("by", "source")
    try:
        period = reports.period(request.query.get("from") or None,
                                request.query.get("to") or None)
        return period, by if by in DIMENSIONS else "source", True
    except BadPeriod:
        return reports.period(None, None), by if by in DIMENSIONS else "source", False


@routes.get("/reports")
async def reports_page(request: web.Request) -> web.Response:
    """The reports page for the chosen range and grouping."""
    reports = await _reports(request)
    if reports is None:
        return pages.refusal(request, 403, "error.refused")
    period, by, good = _chosen(request, reports)
    funnel = await reports.funnel(period, by)
    missed = await reports.missed_calls(period)
    spread = await reports.response_times(period)
    volume = await reports.volume(period)
    t = request[TRANSLATOR]

    def label(key: str) -> str:
        return t(f"reports.{key}")

    drawn = {"funnel": charts.funnel_chart(funnel, label),
             "response": charts.response_chart(spread, label),
             "recovery": charts.recovery_chart(missed, label),
             **charts.volume_charts(volume, label)}
    query = urlencode({"from": period.first.isoformat(), "to": period.last.isoformat(),
                       "by": by})
    context: dict[str, Any] = {
        "funnel": funnel, "missed": missed, "by": by, "dimensions": DIMENSIONS,
        "period": period, "bad_range": not good, "csv_url": f"/app/reports/funnel.csv?{query}",
        "charts": {name: Markup(svg) for name, svg in drawn.items()},  # noqa: S704 (built escaped)
        "columns": tables.FUNNEL_COLUMNS[1:],
        "cells": [[tables.cell(row[c]) for c in tables.FUNNEL_COLUMNS[1:]]
                  for row in funnel["rows"]],
        "total_cells": [tables.cell(funnel["totals"][c]) for c in tables.FUNNEL_COLUMNS[1:]],
        "median_callback": tables.cell(missed["median_callback_seconds"]),
    }
    return pages.render(request, "reports.html", **context)


@routes.get("/reports/funnel.csv")
async def funnel_csv(request: web.Request) -> web.Response:
    """The funnel table of the page as a CSV download."""
    reports = await _reports(request)
    if reports is None:
        return pages.refusal(request, 403, "error.refused")
    period, by, _ = _chosen(request, reports)
    report = await reports.funnel(period, by)
    name = f"funnel_{by}_{period.first}_{period.last}.csv"
    return web.Response(text=tables.to_csv(*tables.funnel_table(report)),
                        content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
