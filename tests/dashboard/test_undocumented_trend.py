"""The undocumented-exceptions trend counts, week by week, exactly what `undocumented_at` counts
at each week's end, whatever the data: exceptions of every status with their timestamps on,
just before and just after the week ends, expiry dates around the weeks' local days, and
timestamps in any order (the trend must not depend on the data being consistent)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.utils import timezone

from dashboard import metrics, sources
from dashboard.windows import Window
from exceptions.models import PlatformException
from tests.dashboard.conftest import NOW
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
SECOND = dt.timedelta(seconds=1)
DAY = dt.timedelta(days=1)


def _moments(window: Window, rng: random.Random) -> list[dt.datetime | None]:
    ends = [window.week_of(k)[1] for k in range(window.weeks + 1)]
    near = [end + offset for end in ends for offset in (-SECOND, dt.timedelta(0), SECOND)]
    spread = [window.end - rng.uniform(0, 2 * window.days + 10) * DAY for _ in range(20)]
    return [None, window.end + DAY, window.start, *near, *spread]


def _days(window: Window) -> list[dt.date | None]:
    days = {timezone.localdate(window.week_of(k)[1]) for k in range(window.weeks + 1)}
    return [None, *sorted({day + shift * DAY for day in days for shift in (-1, 0, 1)})]


def _exceptions(window: Window, teams: list[Any], detector: Any, count: int = 300) -> None:
    rng = random.Random(window.days)
    moments, days = _moments(window, rng), _days(window)
    statuses = list(PlatformException.Status.values)
    PlatformException.objects.bulk_create(
        PlatformException(
            kind="other", title=f"x{i}", team=rng.choice(teams), status=rng.choice(statuses),
            created_at=rng.choice(moments[1:]), requested_at=rng.choice(moments),
            decided_at=rng.choice(moments), ended_at=rng.choice(moments),
            expires_on=rng.choice(days), detected_by=rng.choice([None, detector]),
        )
        for i in range(count)
    )  # fmt: skip


def _check(window: Window) -> None:
    metric = metrics.undocumented_exceptions(window)
    base = sources.exception_base(window)
    expected = [
        base.filter(sources.undocumented_at(window.week_of(k)[1])).count()
        for k in reversed(range(window.weeks))
    ]
    assert [point.value for point in metric.series] == expected
    assert metric.headline.previous == base.filter(sources.undocumented_at(window.start)).count()
    today = timezone.localdate(window.end)
    assert metric.headline.value == base.filter(sources.undocumented_now(today)).count()


@pytest.mark.parametrize("days", [30, 90])
def test_trend_matches_the_definition_week_by_week(days: int) -> None:
    teams = [TeamFactory(slug="alpha"), TeamFactory(slug="beta")]
    window = Window(days=days, end=NOW)
    _exceptions(window, teams, UserFactory())
    assert sum(p.value or 0 for p in metrics.undocumented_exceptions(window).series) > 0
    _check(window)
    _check(Window(days=days, end=NOW, team=teams[0]))


def test_trend_matches_across_a_daylight_saving_change(settings: Any) -> None:
    """In Berlin the week ends fall at 23:30 after the clocks go back and at 00:30 (the next
    day) before: the weeks' local days are not seven days apart everywhere."""
    settings.TIME_ZONE = "Europe/Berlin"
    window = Window(days=30, end=dt.datetime(2026, 11, 2, 22, 30, tzinfo=dt.UTC))
    days = [timezone.localdate(window.week_of(k)[1]) for k in range(window.weeks)]
    assert days[1] - days[2] == 6 * DAY
    _exceptions(window, [TeamFactory()], UserFactory())
    _check(window)
