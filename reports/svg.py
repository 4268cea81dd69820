"""Charts as self-contained SVG text (no scripts, fonts or other external resources).

Every bar is a `<rect class="bar">` and every point a `<circle class="point">`, each carrying
its `data-label` and `data-value` and a `<title>` tooltip, so pages and tests can read them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT = 640, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 48, 24, 28, 44
PALETTE = ("#3366cc", "#109618", "#ff9900", "#dc3912", "#990099", "#0099c6")


def _frame(title: str, body: list[str], label: str) -> str:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
            f'aria-label="{escape(label)}" font-family="sans-serif" font-size="11">')
    heading = f'<text x="{_LEFT}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>'
    return "".join([head, heading, *body, "</svg>"])


def _axis(top: float) -> list[str]:
    plot_h = HEIGHT - _TOP - _BOTTOM
    parts = [f'<line x1="{_LEFT}" y1="{HEIGHT - _BOTTOM}" x2="{WIDTH - _RIGHT}" '
             f'y2="{HEIGHT - _BOTTOM}" stroke="#888"/>']
    for step in range(5):
        value = top * step / 4
        y = HEIGHT - _BOTTOM - plot_h * step / 4
        parts.append(f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">'
                     f'{_short(value)}</text>')
        if step:
            parts.append(f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{WIDTH - _RIGHT}" y2="{y:.1f}" '
                         'stroke="#eee"/>')
    return parts


def _short(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def _top(values: Sequence[float]) -> float:
    """The axis' top: four round steps (1, 2 or 5 × 10ⁿ, whole for counts) above the tallest."""
    biggest = max([0.0, *values])
    if biggest <= 0:
        return 4.0
    step = biggest / 4
    scale = 10 ** math.floor(math.log10(step))
    nice = next(m * scale for m in (1, 2, 5, 10) if m * scale >= step)
    if all(float(v).is_integer() for v in values):
        nice = max(nice, 1)
    return float(nice * 4)


def bar_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]],
              every_label: int = 1) -> str:
    """Grouped vertical bars: one group per label, one bar per series in each group."""
    top = _top([v for _, values in series for v in values])
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM
    slot = plot_w / max(len(labels), 1)
    bar_w = slot * 0.8 / max(len(series), 1)
    body = _axis(top)
    for n, label in enumerate(labels):
        x0 = _LEFT + slot * n + slot * 0.1
        for s, (name, values) in enumerate(series):
            value = values[n]
            h = plot_h * value / top
            body.append(
                f'<rect class="bar" data-series="{escape(name)}" data-label="{escape(label)}" '
                f'data-value="{value:g}" x="{x0 + bar_w * s:.1f}" y="{HEIGHT - _BOTTOM - h:.1f}" '
                f'width="{max(bar_w - 1, 1):.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(name)} · {escape(label)}: '
                f'{value:g}</title></rect>')
        if n % every_label == 0:
            body.append(f'<text x="{x0 + slot * 0.4:.1f}" y="{HEIGHT - _BOTTOM + 14}" '
                        f'text-anchor="middle" fill="#333">{escape(label)}</text>')
    body += _legend([name for name, _ in series]) if len(series) > 1 else []
    return _frame(title, body, title)


def line_chart(title: str, labels: Sequence[str], values: Sequence[float],
               every_label: int = 1) -> str:
    """One line through a point per label."""
    top = _top(values)
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM
    step = plot_w / max(len(labels) - 1, 1)
    points = [(_LEFT + step * n if len(labels) > 1 else _LEFT + plot_w / 2,
               HEIGHT - _BOTTOM - plot_h * v / top) for n, v in enumerate(values)]
    body = _axis(top)
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{PALETTE[0]}" '
                    'stroke-width="2"/>')
    for n, ((x, y), label, value) in enumerate(zip(points, labels, values, strict=True)):
        body.append(f'<circle class="point" data-label="{escape(label)}" data-value="{value:g}" '
                    f'cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{PALETTE[0]}"><title>'
                    f'{escape(label)}: {value:g}</title></circle>')
        if n % every_label == 0:
            body.append(f'<text x="{x:.1f}" y="{HEIGHT - _BOTTOM + 14}" text-anchor="middle" '
                        f'fill="#333">{escape(label)}</text>')
    return _frame(title, body, title)


def _legend(names: Sequence[str]) -> list[str]:
    parts = []
    for n, name in enumerate(names):
        x = WIDTH - _RIGHT - 110 * (len(names) - n)
        parts.append(f'<rect x="{x}" y="{HEIGHT - 16}" width="10" height="10" '
                     f'fill="{PALETTE[n % len(PALETTE)]}"/><text x="{x + 14}" '
                     f'y="{HEIGHT - 7}">{escape(name)}</text>')
    return parts
