"""The dashboard's figures for one window length and team, computed at most once per
`DASHBOARD_CACHE_SECONDS` (60 by default) and shared by the page, the CSV and the API.

Every metric reads every row of two windows, and the figures move slowly, so they are kept in
Django's cache (Redis in production, memory in the embedded default) for a short while. Nothing
invalidates them early: a change shows within the TTL. Whoever reads them is told when they were
computed, since the window ends at that moment. The drill-down lists end where the figures end,
so a list holds the rows its figure counted, shown as they are now. A TTL of 0 turns the cache
off.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections

from dashboard import metrics, texts
from dashboard.metrics import Metric
from dashboard.windows import Window

# Part of the key: bump it when Metric, Figure or Point change shape, so that a deploy never
# reads the previous release's cached objects. 3: labels and definitions are lazy translations.
# 4: pickled by `dashboard.texts.dumps`.
VERSION = 4


@dataclass(frozen=True)
class Snapshot:
    window: Window  # ends when the figures were computed
    metrics: list[Metric]

    @property
    def key(self) -> str:
        """Names these figures (their window, team, database and moment), for caching what
        is made of them: the page's HTML of the cards."""
        return f"{_key(self.window.days, self.window.team)}:{self.window.end.isoformat()}"


def cache_seconds() -> int:
    return int(settings.DASHBOARD_CACHE_SECONDS)


def _key(days: int, team: Any) -> str:
    # The database is part of the key: two portals may share one cache server (staging and
    # production, say), and their figures must not mix.
    database = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
    scope = "all" if team is None else team.pk
    return f"dashboard:figures:v{VERSION}:{database}:{days}:{scope}"


def _cached(days: int, team: Any) -> tuple[dt.datetime, list[Metric]] | None:
    if cache_seconds() <= 0:
        return None
    data: bytes | None = cache.get(_key(days, team))
    if data is None:
        return None
    value: tuple[dt.datetime, list[Metric]] = texts.loads(data)
    return value


def figures(days: int, team: Any = None) -> Snapshot:
    """Every metric for the last `days` days (of one team, or all), from the cache when they
    were computed less than `cache_seconds()` ago."""
    cached = _cached(days, team)
    if cached is not None:
        end, computed = cached
        return Snapshot(Window(days=days, end=end, team=team), computed)
    window = Window.ending_now(days, team)
    computed = metrics.dashboard(window)
    if cache_seconds() > 0:
        cache.set(_key(days, team), texts.dumps((window.end, computed)), cache_seconds())
    return Snapshot(window, computed)


def window_as_of(days: int, team: Any = None) -> Window:
    """The window of the figures people are looking at: the cached figures' when there are
    any, so that a drill-down list ends where its number ended; otherwise ending now."""
    cached = _cached(days, team)
    if cached is not None:
        return Window(days=days, end=cached[0], team=team)
    return Window.ending_now(days, team)
