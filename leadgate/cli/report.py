"""`leadgate report funnel|missed_calls|volume|response_times`: the reports on a terminal."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.report_funnel import DIMENSIONS
from leadgate.settings import Settings
from reports import tables
from reports.build import Reports
from reports.period import BadPeriod, zone_named

_TABLES = {
    "funnel": tables.funnel_table,
    "missed_calls": tables.missed_table,
    "volume": tables.volume_table,
    "response_times": tables.response_table,
}


def add_parser(commands: Any) -> None:
    """Register the `report` command: one sub-command per report."""
    report = commands.add_parser("report", help="reports: funnel, missed calls, volume")
    sub = report.add_subparsers(dest="report_name", required=True)
    for name in _TABLES:
        parser = sub.add_parser(name, help=f"the {name.replace('_', ' ')} report")
        parser.add_argument("--from", dest="first", metavar="YYYY-MM-DD",
                            help="first day (company time zone; default 30 days ago)")
        parser.add_argument("--to", dest="last", metavar="YYYY-MM-DD",
                            help="last day, included (default today)")
        parser.add_argument("--format", default="table", choices=["table", "csv", "json"])
        if name == "funnel":
            parser.add_argument("--by", default="source", choices=DIMENSIONS)


async def run(args: argparse.Namespace, engine: AsyncEngine, settings: Settings) -> int:
    """Print one report; exit 2 with the reason on a bad range."""
    reports = Reports(engine, zone_named(settings.timezone))
    try:
        period = reports.period(args.first, args.last)
    except BadPeriod as err:
        print(f"leadgate: error: {err}", file=sys.stderr)
        return 2
    if args.report_name == "funnel":
        report = await reports.funnel(period, args.by)
    elif args.report_name == "missed_calls":
        report = await reports.missed_calls(period)
    elif args.report_name == "volume":
        report = await reports.volume(period)
    else:
        report = await reports.response_times(period)
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    header, rows = _TABLES[args.report_name](report)
    text = tables.to_csv(header, rows) if args.format == "csv" else tables.to_text(header, rows)
    sys.stdout.write(text)
    return 0
