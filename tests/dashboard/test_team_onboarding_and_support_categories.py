"""Team onboarding time and the support load by category, on hand-computed data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from dashboard import metrics
from dashboard.windows import Window
from portal.core import roles
from staffing.models import TeamOnboarding
from tests.dashboard.conftest import NOW, at
from tests.factories import TeamFactory, UserFactory
from tests.support.factories import SupportRequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def window(team: Any = None) -> Window:
    return Window(days=30, end=NOW, team=team)


def figures(metric: metrics.Metric) -> dict[str, metrics.Figure]:
    return {f.key: f for f in metric.figures}


def onboarding(requested: dt.datetime, days: float | None, team: Any = None) -> TeamOnboarding:
    owner = UserFactory(roles=[roles.PLATFORM_REVIEWER])
    done = None if days is None else requested + dt.timedelta(days=days)
    return TeamOnboarding.objects.create(
        team=team or TeamFactory(kind="product"), onboarding_owner=owner, requested_by=owner,
        requested_at=requested, onboarded_at=done,
        status="in_progress" if done is None else "onboarded",
    )  # fmt: skip


def test_team_onboarding_time_median_and_p90() -> None:
    alpha = TeamFactory(slug="alpha", kind="product")
    onboarding(at(6, 1), 4, team=alpha)  # onboarded 6-05
    onboarding(at(6, 2), 10)  # 6-12
    onboarding(at(5, 25), 20)  # 6-14: requested before, onboarded in the window
    onboarding(at(6, 10), 2)  # 6-12
    onboarding(at(6, 20), None)  # still in progress: not counted
    onboarding(at(5, 10), 6)  # 5-16: the previous window

    result = figures(metrics.team_onboarding_time(window()))
    assert result["count"].value == 4
    assert result["median"].value == pytest.approx(7)  # 2 4 10 20
    # p90 by linear interpolation over 2 4 10 20: rank 0.9 * 3 = 2.7 -> 10 + 0.7 * 10
    assert result["p90"].value == pytest.approx(17)
    assert result["median"].previous == pytest.approx(6)
    assert result["count"].previous == 1
    team = figures(metrics.team_onboarding_time(window(alpha)))
    assert (team["count"].value, team["median"].value) == (1, pytest.approx(4))


def test_support_load_by_category() -> None:
    for category, opened in [
        ("onboarding", at(6, 3)),
        ("onboarding", at(6, 9)),
        ("devex", at(6, 12)),
        ("devex", at(5, 20)),
        ("cost", at(6, 1)),
    ]:
        SupportRequestFactory(category=category, opened_at=opened)  # fmt: skip
    result = figures(metrics.support_load(window()))
    assert result["opened_onboarding"].value == 2
    assert result["opened_devex"].value == 1
    assert result["opened_devex"].previous == 1
    assert result["opened_cost"].value == 1
    assert result["opened_tooling"].value == 0
    assert result["opened"].value == 4
    assert result["opened_devex"].label == "Opened: Platform DevEx (SDK, CLI, playground)"


def test_drill_downs_list_the_rows_counted(client: Client, admin_user: Any) -> None:
    alpha = TeamFactory(name="Alpha newcomers", slug="alpha", kind="product")
    onboarding(at(6, 1), 4, team=alpha)
    onboarding(at(5, 1), 4, team=TeamFactory(name="Old team", kind="product"))
    SupportRequestFactory(category="devex", opened_at=at(6, 12), title="CLI install")
    SupportRequestFactory(category="cost", opened_at=at(6, 12), title="Budget help")
    client.force_login(admin_user)
    page = client.get("/dashboard/team-onboarding-time/items/?days=30").content.decode()
    assert ">Alpha newcomers</a>" in page and ">Old team</a>" not in page
    page = client.get("/dashboard/support-opened/items/?days=30&category=devex").content.decode()
    assert "CLI install" in page and "Budget help" not in page
