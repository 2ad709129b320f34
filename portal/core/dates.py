"""Dates as pages write them, replacing Django's `date` filter in the lists' rows (`|date:"c"`
for the machine-readable moment, `|date:FORMAT` for the one shown): the filter costs several
times as much per call, and lists write two per row. Used by the `{% time_element %}` tag and
the sign-off inbox's rows; measured with `bench/inprocess.py` on the inbox (README, "Signed-in
requests and hand-written machinery"); `tests/core/test_dates.py` holds both equal to the
filter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import dateformat, timezone


def in_zone(value: Any, *, utc: bool = False) -> Any:
    """An aware datetime in the current time zone (or UTC); dates and naive values as given."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return value.astimezone(dt.UTC) if utc else timezone.localtime(value)
    return value


def iso(value: Any, *, utc: bool = False) -> str:
    """`|date:"c"`: ISO 8601, "" for no value."""
    return "" if value is None or value == "" else str(in_zone(value, utc=utc).isoformat())


def formatted(value: Any, format: str, *, utc: bool = False) -> str:
    """`|date:format`, "" for no value."""
    return (
        "" if value is None or value == "" else dateformat.format(in_zone(value, utc=utc), format)
    )
