"""Dates and times far outside any plausible range are refused by every field people type
them into, with a message naming the range, and nothing is saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from portal.core.validators import validate_past, validate_planned

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "value",
    [
        dt.date(1, 1, 1),
        dt.date(1999, 12, 31),
        dt.date(2026, 6, 17),
        dt.date(9999, 12, 31),
        dt.datetime(1, 1, 1, tzinfo=dt.UTC),
        dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5))),
        dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        NOW + dt.timedelta(days=1, minutes=1),
    ],
)
def test_past_refuses_implausible_values(value: dt.date) -> None:
    with pytest.raises(ValidationError, match="Enter a date between 2000-01-01 and 2026-06-1"):
        validate_past(value)


@time_machine.travel(NOW, tick=False)
def test_past_accepts_this_century_up_to_a_day_ahead() -> None:
    for value in (
        dt.date(2000, 1, 1),
        dt.date(2026, 6, 16),
        dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
        NOW + dt.timedelta(hours=23),
        None,
    ):
        validate_past(value)


@time_machine.travel(NOW, tick=False)
def test_planned_allows_ten_years_ahead_and_no_more() -> None:
    validate_planned(dt.date(2036, 6, 1))
    for value in (dt.date(1, 1, 1), dt.date(1999, 12, 31), dt.date(2036, 6, 16)):
        with pytest.raises(ValidationError, match="Enter a date between 2000-01-01"):
            validate_planned(value)


@pytest.mark.django_db
def test_audit_export_with_extreme_dates_is_a_form_error(admin_user: Any) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    response = client.get("/admin/core/auditentry/export/?start=0001-01-01&end=9999-12-31")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Enter a date between 2000-01-01" in response.content.decode()
