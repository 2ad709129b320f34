"""The figures are computed at most once per cache period and shared by the page, the CSV, the
API and the drill-down lists, which all say (or end) when they were computed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest

from dashboard import snapshots
from tests.dashboard.conftest import NOW
from tests.factories import TeamFactory
from tests.incidents.factories import IncidentFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
SECOND = dt.timedelta(seconds=1)


def resolve_incident(team: Any, resolved: dt.datetime, hours: float = 2) -> Any:
    opened = resolved - dt.timedelta(hours=hours)
    return IncidentFactory(
        scenario=ScenarioFactory(team=team, status="onboarded"), status="resolved",
        severity="SEV2", impact_started_at=None, opened_at=opened,
        acknowledged_at=opened + dt.timedelta(minutes=5), resolved_at=resolved,
    )  # fmt: skip


def mttr_count(client: Any, url: str = "/dashboard/?days=30") -> int:
    """The MTTR incident count the page shows, checked against the figures it was given (the
    cards' HTML is cached with the figures)."""
    response = client.get(url)
    metrics = {m.key: m for m in response.context["metrics"]}
    count = next(f.value for f in metrics["mttr"].figures if f.key == "count")
    card = response.content.decode().split('id="mttr"', 1)[1]
    shown = re.search(r'<th scope="row">Incidents</th>\s*<td>(\d+)</td>', card)
    assert shown is not None
    assert int(shown.group(1)) == count
    return int(count)


@pytest.fixture
def team() -> Any:
    return TeamFactory(slug="alpha")


def test_page_says_when_the_figures_were_computed(
    client: Any, outsider: Any, settings: Any
) -> None:
    client.force_login(outsider)
    body = client.get("/dashboard/").content.decode()
    assert "Figures as of 12:00 UTC" in body
    assert "at most every 60 seconds" in body
    settings.TIME_ZONE = "Europe/Berlin"
    body = client.get("/dashboard/?days=30").content.decode()
    assert "Figures as of 14:00 CEST" in body
    assert "30 days up to 2026-06-30 14:00 CEST" in body


def test_figures_are_kept_for_the_cache_period_then_recomputed(
    client: Any, outsider: Any, team: Any, frozen: Any
) -> None:
    client.force_login(outsider)
    resolve_incident(team, NOW - dt.timedelta(days=1))
    assert mttr_count(client) == 1
    frozen.shift(30 * SECOND)
    resolve_incident(team, NOW)
    response = client.get("/dashboard/?days=30")
    assert mttr_count(client) == 1  # the cached figures, as of 12:00:00
    assert response.context["window"].end == NOW
    assert "Figures as of 12:00 UTC" in response.content.decode()
    frozen.shift(31 * SECOND)
    response = client.get("/dashboard/?days=30")
    assert mttr_count(client) == 2
    assert response.context["window"].end == NOW + 61 * SECOND


def test_each_window_and_team_has_its_own_figures(client: Any, outsider: Any, team: Any) -> None:
    client.force_login(outsider)
    resolve_incident(team, NOW - dt.timedelta(days=1))
    assert mttr_count(client, "/dashboard/?days=30") == 1
    resolve_incident(TeamFactory(slug="beta"), NOW - dt.timedelta(days=1))
    assert mttr_count(client, "/dashboard/?days=30") == 1  # cached
    assert mttr_count(client, "/dashboard/?days=90") == 2
    assert mttr_count(client, "/dashboard/?days=30&team=alpha") == 1
    assert mttr_count(client, "/dashboard/?days=30&team=beta") == 1


def test_csv_and_api_show_the_page_figures(
    client: Any, api_client: Any, admin_user: Any, team: Any, frozen: Any
) -> None:
    client.force_login(admin_user)
    resolve_incident(team, NOW - dt.timedelta(days=1))
    client.get("/dashboard/?days=30&team=alpha")
    frozen.shift(20 * SECOND)
    resolve_incident(team, NOW)
    rows = list(csv.DictReader(io.StringIO(client.get(
        "/dashboard/metrics.csv?days=30&team=alpha").content.decode())))  # fmt: skip
    figures = {(r["metric"], r["figure"]): r for r in rows}
    assert figures[("mttr", "count")]["value"] == "1"
    assert figures[("mttr", "count")]["end"] == NOW.isoformat()
    api_client.force_authenticate(admin_user)
    body = api_client.get("/api/v1/metrics/?days=30&team=alpha").json()
    assert body["window"]["end"].startswith("2026-06-30T12:00:00")
    mttr = next(m for m in body["metrics"] if m["key"] == "mttr")
    assert next(f for f in mttr["figures"] if f["key"] == "count")["value"] == 1


def test_drill_down_ends_where_the_figures_end(
    client: Any, outsider: Any, team: Any, frozen: Any
) -> None:
    client.force_login(outsider)
    resolve_incident(team, NOW - dt.timedelta(days=1))
    assert mttr_count(client) == 1
    frozen.shift(30 * SECOND)
    resolve_incident(team, NOW + 10 * SECOND)  # after the figures were computed
    response = client.get("/dashboard/mttr/items/?days=30")
    assert response.context["window"].end == NOW
    assert response.context["page_obj"].paginator.count == 1
    assert "up to 2026-06-30 12:00 UTC" in response.content.decode()
    frozen.shift(31 * SECOND)  # the figures expire: the list ends now, as the next ones will
    response = client.get("/dashboard/mttr/items/?days=30")
    assert response.context["page_obj"].paginator.count == 2
    assert mttr_count(client) == 2


def test_no_cache_when_the_period_is_zero(
    client: Any, outsider: Any, team: Any, settings: Any
) -> None:
    settings.DASHBOARD_CACHE_SECONDS = 0
    client.force_login(outsider)
    assert mttr_count(client) == 0
    resolve_incident(team, NOW - dt.timedelta(days=1))
    assert mttr_count(client) == 1
    body = client.get("/dashboard/").content.decode()
    assert "Figures as of 12:00 UTC" in body
    assert "at most every" not in body
    assert snapshots.window_as_of(30).end == NOW


def test_cached_figures_survive_the_round_trip(team: Any) -> None:
    resolve_incident(team, NOW - dt.timedelta(days=1))
    computed = snapshots.figures(30, team)
    cached = snapshots.figures(30, team)
    assert cached.metrics is not computed.metrics  # unpickled from the cache
    assert cached.metrics == computed.metrics
    assert cached.window == computed.window


@pytest.mark.redis
def test_figures_round_trip_through_redis(settings: Any, team: Any) -> None:
    """Production keeps the figures in Redis: they must pickle there and back intact."""
    import os

    from django.core.cache import cache

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"dashboard-test-{os.getpid()}",
        }
    }
    resolve_incident(team, NOW - dt.timedelta(days=1))
    try:
        computed = snapshots.figures(30, team)
        cached = snapshots.figures(30, team)
        assert cached.metrics is not computed.metrics
        assert cached.metrics == computed.metrics
        assert cached.window == computed.window
    finally:
        cache.delete(snapshots._key(30, team))
