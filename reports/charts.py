"""The reports page's charts, drawn from the reports' answers (pure: report dicts → SVG text)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reports import svg

Label = Callable[[str], str]
FUNNEL_STAGES = ("leads", "accepted", "contacted", "won")
RECOVERY = ("missed", "called_back", "called_back_in_time", "never_called_back")


def funnel_chart(funnel: dict[str, Any], label: Label) -> str:
    """The funnel's totals, stage by stage: leads, accepted, contacted, won."""
    totals = funnel["totals"]
    return svg.bar_chart(label("funnel"), [label(s) for s in FUNNEL_STAGES],
                         [(label("leads"), [totals[s] for s in FUNNEL_STAGES])])


def response_chart(spread: dict[str, Any], label: Label) -> str:
    """How many leads were accepted and contacted within each response-time bucket."""
    buckets = spread["buckets"]
    return svg.bar_chart(label("response_times"), [b["bucket"] for b in buckets], [
        (label("accepted"), [b["accepted"] for b in buckets]),
        (label("contacted"), [b["contacted"] for b in buckets]),
    ])


def recovery_chart(missed: dict[str, Any], label: Label) -> str:
    """Missed calls, called back, called back in time, never called back."""
    return svg.bar_chart(label("missed_calls"), [label(k) for k in RECOVERY],
                         [(label("leads"), [missed[k] for k in RECOVERY])])


def volume_charts(volume: dict[str, Any], label: Label) -> dict[str, str]:
    """Leads per day (a line), per hour of the day and per day of the week (bars)."""
    days = volume["days"]
    return {
        "days": svg.line_chart(label("per_day"), [d["day"][5:] for d in days],
                               [d["leads"] for d in days], every_label=max(1, len(days) // 10)),
        "hours": svg.bar_chart(label("per_hour"), [str(h["hour"]) for h in volume["hours"]],
                               [(label("leads"), [h["leads"] for h in volume["hours"]])],
                               every_label=2),
        "weekdays": svg.bar_chart(label("per_weekday"),
                                  [label(w["weekday"]) for w in volume["weekdays"]],
                                  [(label("leads"), [w["leads"] for w in volume["weekdays"]])]),
    }
