"""Reads of the exception register."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from scenarios.models import PlatformException


def active_eval_bypass(scenario: Any, today: dt.date | None = None) -> PlatformException | None:
    """The approved, unexpired eval gate bypass for this scenario, if any.

    An exception is valid up to the day before its expiry date: on `expires_on` it has expired,
    whether or not the periodic sweep has processed it yet."""
    today = today or timezone.localdate()
    return (
        PlatformException.objects.filter(
            scenario=scenario,
            kind=PlatformException.Kind.EVAL_GATE_BYPASS,
            status=PlatformException.Status.APPROVED,
            expires_on__gt=today,
        )
        .order_by("expires_on")
        .first()
    )
