"""Reports as flat tables: CSV downloads and the terminal table of `leadgate report`."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from reports.build import FUNNEL_COLUMNS

MISSED_COLUMNS = ("missed", "called_back", "called_back_in_time", "median_callback_seconds",
                  "p90_callback_seconds", "never_called_back")
TOTAL_KEY = "total"


def funnel_table(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The funnel's header and rows, the totals last under the key `total`."""
    rows = [[row[c] for c in FUNNEL_COLUMNS] for row in report["rows"]]
    totals = report["totals"]
    rows.append([TOTAL_KEY, *(totals[c] for c in FUNNEL_COLUMNS[1:])])
    return list(FUNNEL_COLUMNS), rows


def missed_table(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Missed-call recovery as one row."""
    return list(MISSED_COLUMNS), [[report[c] for c in MISSED_COLUMNS]]


def volume_table(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Leads per day, then per hour of the day, then per day of the week."""
    rows: list[list[Any]] = [["day", d["day"], d["leads"]] for d in report["days"]]
    rows += [["hour", h["hour"], h["leads"]] for h in report["hours"]]
    rows += [["weekday", w["weekday"], w["leads"]] for w in report["weekdays"]]
    return ["kind", "key", "leads"], rows


def response_table(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Leads accepted and contacted within each response-time bucket."""
    return ["bucket", "accepted", "contacted"], [
        [b["bucket"], b["accepted"], b["contacted"]] for b in report["buckets"]]


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """RFC 4180 CSV; an empty cell for a missing value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[cell(v) for v in row] for row in rows])
    return out.getvalue()


def to_text(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain aligned table for a terminal: text left, numbers right."""
    cells = [list(header), *[[cell(v) for v in row] for row in rows]]
    widths = [max(len(str(r[i])) for r in cells) for i in range(len(header))]
    numeric = [all(_is_number(r[i]) for r in cells[1:]) for i in range(len(header))]
    lines = []
    for row in cells:
        lines.append("  ".join(
            str(v).rjust(w) if num else str(v).ljust(w)
            for v, w, num in zip(row, widths, numeric, strict=True)).rstrip())
    return "\n".join(lines) + "\n"


def cell(value: Any) -> Any:
    """A value as a table shows it: empty when missing, whole numbers without `.0`."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _is_number(value: Any) -> bool:
    return value == "" or isinstance(value, int | float)
