"""The reports API (/api/reports/*): JSON by default, `?format=csv` for a download; admins only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from channels.base import error_response
from leadgate.http.keys import ENGINE, PRINCIPAL
from reports import tables
from reports.build import Reports
from reports.period import BadPeriod, Period, zone_named

routes = web.RouteTableDef()
TIMEZONE = web.AppKey("timezone", str)
"""The configured time zone the reports date their days in."""
Table = Callable[[dict[str, Any]], tuple[list[str], list[list[Any]]]]


def reports_of(request: web.Request) -> Reports:
    """The reports over the app's store, dated in the configured time zone."""
    return Reports(request.app[ENGINE], zone_named(request.app[TIMEZONE]))


async def _answer(request: web.Request, name: str, table: Table,
                  build: Callable[[Reports, Period], Awaitable[dict[str, Any]]]) -> web.Response:
    if not request[PRINCIPAL].is_admin:
        return error_response(403, "forbidden", "reports need an admin token")
    fmt = request.query.get("format", "json")
    if fmt not in ("json", "csv"):
        return error_response(400, "malformed", "format must be json or csv")
    reports = reports_of(request)
    try:
        period = reports.period(request.query.get("from"), request.query.get("to"))
        report = await build(reports, period)
    except (BadPeriod, ValueError) as err:
        return error_response(400, "malformed", str(err))
    if fmt == "json":
        return web.json_response(report)
    filename = f"{name}_{report['from']}_{report['to']}.csv"
    return web.Response(
        text=tables.to_csv(*table(report)), content_type="text/csv", charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@routes.get("/api/reports/funnel")
async def funnel(request: web.Request) -> web.Response:
    """Leads by source|channel|form|did|manager|team: counts, median and p90 times."""
    by = request.query.get("by", "source")
    return await _answer(request, f"funnel_{by}", tables.funnel_table,
                         lambda reports, period: reports.funnel(period, by))


@routes.get("/api/reports/missed_calls")
async def missed_calls(request: web.Request) -> web.Response:
    """Missed calls: called back, in time, median time, never called back."""
    return await _answer(request, "missed_calls", tables.missed_table,
                         lambda reports, period: reports.missed_calls(period))


@routes.get("/api/reports/volume")
async def volume(request: web.Request) -> web.Response:
    """Leads per day, per hour of the day and per day of the week."""
    return await _answer(request, "volume", tables.volume_table,
                         lambda reports, period: reports.volume(period))


@routes.get("/api/reports/response_times")
async def response_times(request: web.Request) -> web.Response:
    """How many leads were accepted and contacted within 1, 5, 15, 60 and 240 minutes."""
    return await _answer(request, "response_times", tables.response_table,
                         lambda reports, period: reports.response_times(period))
