"""Weekly trend charts drawn on the server as inline SVG: no JavaScript, no CDN.

The texts (tooltips, the summary, the ticks, the figures) are in the reader's language, with its
decimal separator; the drawing's numbers (coordinates and sizes) are Python's, always with a
point, so a Russian decimal comma never reaches an SVG attribute."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils import dateformat, formats, timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from dashboard.metrics import Point

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

WIDTH = 300
HEIGHT = 80
AXIS = 12  # room under the bars for the first and last week labels


def decimal(value: float, digits: int) -> str:
    """`value` rounded to `digits` places, with the reader's decimal separator (a comma in
    Russian). For text only: attributes and anything a program reads keep Python's point."""
    return f"{value:.{digits}f}".replace(".", str(formats.get_format("DECIMAL_SEPARATOR")))


def format_value(value: float | None, unit: str) -> str:
    """A figure as people read it; 'no data' rather than a zero that was never measured."""
    if value is None:
        return gettext("no data")
    if unit == "percent":
        return f"{decimal(value, 1)}%"
    if unit == "count":
        return decimal(value, 0)
    if unit == "days":
        return gettext("%(value)s days") % {"value": decimal(value, 1)}
    if unit == "hours":
        return gettext("%(value)s h") % {"value": decimal(value, 1)}
    if unit == "per_week":
        return gettext("%(value)s / week") % {"value": decimal(value, 1)}
    return f"{value:g}".replace(".", str(formats.get_format("DECIMAL_SEPARATOR")))


def _day(moment: dt.datetime) -> str:
    """'07 Jun': the day and the month's short name in the reader's language."""
    return dateformat.format(moment, "d M")


def bar_chart(points: Sequence[Point], unit: str, label: StrOrPromise) -> SafeString:
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
    tooltip = gettext("Week ending %(day)s: %(value)s")
    for i, (point, text) in enumerate(zip(points, texts, strict=True)):
        height = 0.0 if point.value is None else max(point.value, 0.0) / top * usable
        css = "bar nodata" if point.value is None else "bar"
        shown = max(height, 1.0 if point.value is not None else 0.0)
        bars.append(
            f'<rect x="{i * slot + slot * 0.1:.2f}" y="{HEIGHT - AXIS - height:.2f}" '
            f'width="{slot * 0.8:.2f}" height="{shown:.2f}" class="{css}">'
            f"<title>{escape(tooltip % {'day': f'{point.week_end:%Y-%m-%d}', 'value': text})}"
            "</title></rect>"
        )
    weekly = "; ".join(f"{_day(p.week_end)} {text}" for p, text in zip(points, texts, strict=True))
    summary = gettext("%(metric)s, weekly: %(values)s") % {"metric": label, "values": weekly}
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{summary}" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<line x1="0" y1="{base}" x2="{w}" y2="{base}" class="axis"/>{rects}'
        '<text x="0" y="{h}" class="tick">{first}</text>'
        '<text x="{w}" y="{h}" class="tick" text-anchor="end">{last}</text>'
        '<text x="0" y="9" class="tick">{top}</text></svg>',
        w=WIDTH,
        h=HEIGHT,
        base=HEIGHT - AXIS,
        summary=summary,
        rects=SafeString("".join(bars)),
        first=_day(points[0].week_end),
        last=_day(points[-1].week_end),
        top=gettext("max %(value)s")
        % {"value": format_value(top if any(v is not None for v in values) else None, unit)},
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
