"""Small template helpers shared by every app's pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def time_element(value: Any, format: str = "Y-m-d H:i", utc: bool = False) -> SafeString | str:
    """`<time datetime="ISO 8601">shown</time>` for a date or a datetime, which is shown in the
    current time zone, or in UTC and marked so with `utc=True`; "" for no value.

    Lists write one per row, and this costs a fraction of the two `date` filters it replaces
    (`<time datetime="{{ value|date:'c' }}">{{ value|date:"Y-m-d" }}</time>`)."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = value.astimezone(dt.UTC) if utc else timezone.localtime(value)
    return format_html(
        '<time datetime="{}">{}{}</time>',
        value.isoformat(),
        dateformat.format(value, format),
        " UTC" if utc else "",
    )
