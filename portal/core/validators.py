"""Plausible dates and times: the one check every form and serializer field that takes a date
or time typed by a person runs, so year 1 or year 9999 never reaches a rule or a query.

The portal's records start in this century; something that has happened lies at most a day
ahead of the server's clock (a browser's clock and time zone may be off by that much); a plan
looks at most ten years ahead. The domain's own rules (impact cannot start in the future, an
exception's longest approval) are stricter and stay with their services."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

EARLIEST = dt.date(2000, 1, 1)
PAST_SLACK = dt.timedelta(days=1)
PLANNING_HORIZON = dt.timedelta(days=3652)  # ten years


def _check(value: dt.date, latest: dt.date) -> None:
    earliest: dt.date = EARLIEST
    if isinstance(value, dt.datetime):
        # Compared as datetimes: converting year 1 or 9999 to another zone would overflow.
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        earliest = dt.datetime.combine(EARLIEST, dt.time.min, tzinfo=dt.UTC)
    if not earliest <= value <= latest:  # type: ignore[operator]
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s.")
            % {"earliest": f"{EARLIEST:%Y-%m-%d}", "latest": f"{latest:%Y-%m-%d}"},
            code="implausible",
        )


def validate_past(value: dt.date | None) -> None:
    """A date or time of something that has happened: from 2000 to a day from now."""
    if value is None:
        return
    if isinstance(value, dt.datetime):
        _check(value, timezone.now() + PAST_SLACK)
    else:
        _check(value, timezone.localdate() + PAST_SLACK)


def validate_planned(value: dt.date | None) -> None:
    """A date planned ahead (a due date, an expiry): from 2000 to ten years from today."""
    if value is not None:
        _check(value, timezone.localdate() + PLANNING_HORIZON)
