"""A fixed clock for the metric tests: now is 2026-06-30 12:00 UTC, so the 30-day window is
(2026-05-31 12:00, 2026-06-30 12:00] and the previous one (2026-05-01 12:00, 2026-05-31 12:00]."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

NOW = dt.datetime(2026, 6, 30, 12, 0, tzinfo=dt.UTC)
WINDOW_START = NOW - dt.timedelta(days=30)


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
