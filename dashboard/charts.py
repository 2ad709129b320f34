"""Weekly trend charts drawn on the server as inline SVG: no JavaScript, no CDN."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

from dashboard.metrics import Point

WIDTH = 300
HEIGHT = 80
AXIS = 12  # room under the bars for the first and last week labels


def format_value(value: float | None, unit: str) -> str:
    """A figure as people read it; 'no data' rather than a zero that was never measured."""
    if value is None:
        return "no data"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "count":
        return f"{value:.0f}"
    if unit == "days":
        return f"{value:.1f} days"
    if unit == "hours":
        return f"{value:.1f} h"
    if unit == "per_week":
        return f"{value:.1f} / week"
    return f"{value:g}"


def bar_chart(points: Sequence[Point], unit: str, label: str) -> SafeString:
    """One bar per week, scaled to the largest week; a week without data has no bar and says
    so in its tooltip, so an empty week never reads as a zero."""
    if not points:
        return SafeString("")
    values = [p.value for p in points]
    texts = [format_value(value, unit) for value in values]
    top = max((v for v in values if v is not None and v > 0), default=0.0) or 1.0
    slot = WIDTH / len(points)
    usable = HEIGHT - AXIS - 4
    # Built as plain strings (numbers and dates need no escaping; the texts are escaped):
    # a year's chart has 53 bars, and format_html per bar costs more than the rest of it.
    bars = []
    for i, (point, text) in enumerate(zip(points, texts, strict=True)):
        height = 0.0 if point.value is None else max(point.value, 0.0) / top * usable
        css = "bar nodata" if point.value is None else "bar"
        shown = max(height, 1.0 if point.value is not None else 0.0)
        bars.append(
            f'<rect x="{i * slot + slot * 0.1:.2f}" y="{HEIGHT - AXIS - height:.2f}" '
            f'width="{slot * 0.8:.2f}" height="{shown:.2f}" class="{css}">'
            f"<title>Week ending {point.week_end:%Y-%m-%d}: {escape(text)}</title></rect>"
        )
    summary = f"{label}, weekly: " + "; ".join(
        f"{p.week_end:%d %b} {text}" for p, text in zip(points, texts, strict=True)
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{summary}" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<line x1="0" y1="{base}" x2="{w}" y2="{base}" class="axis"/>{rects}'
        '<text x="0" y="{h}" class="tick">{first}</text>'
        '<text x="{w}" y="{h}" class="tick" text-anchor="end">{last}</text>'
        '<text x="0" y="9" class="tick">max {top}</text></svg>',
        w=WIDTH,
        h=HEIGHT,
        base=HEIGHT - AXIS,
        summary=summary,
        rects=SafeString("".join(bars)),
        first=f"{points[0].week_end:%d %b}",
        last=f"{points[-1].week_end:%d %b}",
        top=format_value(top if any(v is not None for v in values) else None, unit),
    )


def weekly_rows(points: Sequence[Point], unit: str) -> SafeString:
    """The chart's values as table rows (week ending, value), for screen readers and for
    reading the exact numbers."""
    return SafeString(
        "".join(
            f"<tr><td>{timezone.localtime(p.week_end):%Y-%m-%d}</td>"
            f"<td>{escape(format_value(p.value, unit))}</td></tr>"
            for p in points
        )
    )
