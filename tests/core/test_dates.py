"""`portal.core.dates` writes what Django's `date` filter writes, in the current time zone or
in UTC, for aware and naive datetimes, dates and no value."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import timezone

from portal.core import dates

VALUES = [
    dt.datetime(2026, 3, 29, 1, 30, 5, 120, tzinfo=dt.UTC),
    dt.datetime(2026, 12, 3, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    dt.datetime(2026, 7, 1, 12, 0),
    dt.date(2026, 2, 28),
    None,
]
FORMATS = ["c", "Y-m-d H:i", "Y-m-d", "j M Y"]


def _filtered(value: Any, format: str, utc: bool) -> str:
    template = "{% load tz %}" + (
        "{{ value|utc|date:format }}" if utc else "{{ value|date:format }}"
    )
    return Template(template).render(Context({"value": value, "format": format}))


@pytest.mark.parametrize("zone", ["UTC", "Europe/Moscow", "America/New_York"])
@pytest.mark.parametrize("utc", [False, True])
@pytest.mark.parametrize("value", VALUES)
def test_it_writes_what_the_date_filter_writes(value: Any, utc: bool, zone: str) -> None:
    # `|utc` converts aware datetimes only (and writes "" for anything else); dates.* leaves
    # everything else as it is, as `|date` alone does.
    aware = isinstance(value, dt.datetime) and timezone.is_aware(value)
    is_date = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    with timezone.override(zone):
        for format in FORMATS:
            if is_date and "H" in format:
                continue  # the filter refuses time formats for a date
            expected = _filtered(value, format, utc and aware)
            assert dates.formatted(value, format, utc=utc) == expected
        assert dates.iso(value, utc=utc) == _filtered(value, "c", utc and aware)
