"""Formatting of metric figures and the trend chart for the dashboard templates."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from dashboard import charts
from dashboard.scorecard import scorecard_for

register = template.Library()

CHANGE_UNITS = {"percent": " pp", "days": " days", "hours": " h", "per_week": " / week"}


@register.filter
def figure(value: float | None, unit: str) -> str:
    return charts.format_value(value, unit)


@register.filter
def change(item: Any) -> str:
    """The change against the previous window: percentage points for shares."""
    delta = item.change
    if delta is None:
        return "no comparison" if getattr(item, "windowed", True) else "now"
    if abs(delta) < 1e-9:
        return "no change"
    sign = "+" if delta > 0 else "−"
    digits = "0" if item.unit == "count" else "1"
    return f"{sign}{abs(delta):.{digits}f}{CHANGE_UNITS.get(item.unit, '')}"


@register.simple_tag
def trend_chart(metric: Any) -> SafeString:
    return charts.bar_chart(metric.series, metric.headline.unit, metric.label)


@register.simple_tag
def weekly_rows(metric: Any) -> SafeString:
    return charts.weekly_rows(metric.series, metric.headline.unit)


@register.filter
def hours(seconds: float | None) -> str:
    return charts.format_value(None if seconds is None else seconds / 3600, "hours")


@register.filter
def days(seconds: float | None) -> str:
    return charts.format_value(None if seconds is None else seconds / 86400, "days")


@register.inclusion_tag("dashboard/_scorecard.html")
def scenario_scorecard(scenario: Any) -> dict[str, Any]:
    """The scenario page shows its scorecard with `{% load dashboard_tags %}
    {% scenario_scorecard scenario %}`, so the scenarios app needs no import from the
    dashboard (a lower layer never imports a higher one)."""
    return {"scorecard": scorecard_for(scenario)}
