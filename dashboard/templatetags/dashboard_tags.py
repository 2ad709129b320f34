"""Formatting of metric figures and the trend chart for the dashboard templates."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dashboard import charts
from dashboard.scorecard import scorecard_for

register = template.Library()

# The change in each unit; %(change)s is the signed number ("+1.5"). Percentage points for shares.
CHANGE_UNITS = {
    "percent": _("%(change)s pp"),
    "days": _("%(change)s days"),
    "hours": _("%(change)s h"),
    "per_week": _("%(change)s / week"),
}


@register.filter
def figure(value: float | None, unit: str) -> str:
    return charts.format_value(value, unit)


@register.filter
def change(item: Any) -> str:
    """The change against the previous window: percentage points for shares."""
    delta = item.change
    if delta is None:
        return gettext("no comparison") if getattr(item, "windowed", True) else gettext("now")
    if abs(delta) < 1e-9:
        return gettext("no change")
    sign = "+" if delta > 0 else "−"
    number = sign + charts.decimal(abs(delta), 0 if item.unit == "count" else 1)
    unit = CHANGE_UNITS.get(item.unit)
    return number if unit is None else str(unit) % {"change": number}


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
