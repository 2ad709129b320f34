"""The time window a dashboard is computed for, and its SQL buckets.

A window of N days is the half-open interval (end − N days, end]; the previous window is the N
days before it. Weekly trends use whole weeks ending at `end` (ceil(N / 7) of them), so the
oldest week of a 30-day trend begins five days before the window does.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, F, Func, IntegerField, Q, Value, When
from django.utils import timezone

WINDOWS = (30, 90, 365)
DEFAULT_DAYS = 90
WEEK = dt.timedelta(days=7)
CURRENT = "current"
PREVIOUS = "previous"


class WeeksBefore(Func):
    """Whole weeks from a timestamp to the end: floor((end − t) / 7 days), so (end − 7 days,
    end] is week 0. PostgreSQL only (exact interval arithmetic)."""

    arity = 2
    output_field = IntegerField()
    template = "FLOOR(EXTRACT(EPOCH FROM (%(expressions)s)) / 604800)::integer"
    arg_joiner = " - "


@dataclass(frozen=True)
class Window:
    days: int
    end: dt.datetime
    team: Any = None  # a portal.core.models.Team, or None for every team

    @classmethod
    def ending_now(cls, days: int = DEFAULT_DAYS, team: Any = None) -> Window:
        return cls(days=days, end=timezone.now(), team=team)

    @property
    def start(self) -> dt.datetime:
        return self.end - dt.timedelta(days=self.days)

    @property
    def previous_start(self) -> dt.datetime:
        return self.end - dt.timedelta(days=2 * self.days)

    @property
    def previous(self) -> Window:
        return Window(days=self.days, end=self.start, team=self.team)

    @property
    def weeks(self) -> int:
        return math.ceil(self.days / 7)

    @property
    def series_start(self) -> dt.datetime:
        return self.end - self.weeks * WEEK

    @property
    def earliest(self) -> dt.datetime:
        """The oldest instant any figure or trend of this window looks at."""
        return min(self.previous_start, self.series_start)

    def week_ends(self) -> list[dt.datetime]:
        """End of each trend week, oldest first."""
        return [self.end - k * WEEK for k in reversed(range(self.weeks))]

    def week_of(self, k: int) -> tuple[dt.datetime, dt.datetime]:
        """(start, end] of trend week k, counted back from the newest (k = 0)."""
        return self.end - (k + 1) * WEEK, self.end - k * WEEK

    def in_current(self, field: str) -> Q:
        return Q(**{f"{field}__gt": self.start, f"{field}__lte": self.end})

    def in_previous(self, field: str) -> Q:
        return Q(**{f"{field}__gt": self.previous_start, f"{field}__lte": self.start})

    def in_week(self, field: str, k: int) -> Q:
        start, end = self.week_of(k)
        return Q(**{f"{field}__gt": start, f"{field}__lte": end})

    def in_both(self, field: str) -> Q:
        return Q(**{f"{field}__gt": self.previous_start, f"{field}__lte": self.end})

    def in_series(self, field: str) -> Q:
        return Q(**{f"{field}__gt": self.series_start, f"{field}__lte": self.end})

    def period(self, field: str) -> Case:
        """'current' or 'previous' for rows already limited to `in_both(field)`."""
        return Case(
            When(Q(**{f"{field}__gt": self.start}), then=Value(CURRENT)),
            default=Value(PREVIOUS),
        )

    def week(self, field: str) -> Any:
        """Trend week index (0 = newest) of a time stamp: the week whose end is the first at or
        after it. Older than the trend: `weeks` or more; after the end: negative. A stamp
        exactly on a boundary lands where `in_week` says: PostgreSQL's interval arithmetic is
        exact, and elsewhere (SQLite's julianday is a float) a chain of comparisons does it."""
        if connection.vendor == "postgresql":
            return WeeksBefore(Value(self.end), F(field))
        whens = [When(Q(**{f"{field}__gt": self.end}), then=Value(-1))] + [
            When(Q(**{f"{field}__gt": self.week_of(k)[0]}), then=Value(k))
            for k in range(self.weeks)
        ]
        return Case(*whens, default=Value(self.weeks))
