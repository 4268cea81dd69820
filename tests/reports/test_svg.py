"""Charts are self-contained SVG with one readable element per bar or point."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from reports.svg import bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_a_grouped_bar_chart_draws_one_bar_per_label_and_series() -> None:
    chart = bar_chart("Funnel <by source>", ["instagram", "call"],
                      [("leads", [2, 1]), ("won", [1, 0])])
    tree = ElementTree.fromstring(chart)
    bars = [e for e in tree.iter(f"{SVG}rect") if e.get("class") == "bar"]

    assert [(b.get("data-series"), b.get("data-label"), b.get("data-value")) for b in bars] == [
        ("leads", "instagram", "2"), ("won", "instagram", "1"), ("leads", "call", "1"),
        ("won", "call", "0")]
    assert "Funnel &lt;by source&gt;" in chart
    assert not re.search(r"(href|src|url\()", chart)  # nothing fetched from elsewhere


def test_a_line_chart_draws_one_point_per_day_even_when_all_are_zero() -> None:
    tree = ElementTree.fromstring(line_chart("Leads per day", ["1", "2", "3"], [0, 0, 0]))
    points = [e for e in tree.iter(f"{SVG}circle") if e.get("class") == "point"]

    assert [p.get("data-value") for p in points] == ["0", "0", "0"]
