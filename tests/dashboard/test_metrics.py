"""Each metric on a fixed data set with hand-computed answers: the 30-day window ending
2026-06-30 12:00 UTC, its previous window, the boundaries, the team filter and empty windows."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest

from dashboard import metrics
from dashboard.windows import Window
from tests.dashboard.conftest import NOW, WINDOW_START, at
from tests.factories import TeamFactory, UserFactory
from tests.incidents.factories import IncidentFactory
from tests.releases.factories import ReleaseFactory, SignOffFactory
from tests.scenarios.factories import PlatformExceptionFactory, ScenarioFactory
from tests.support.factories import SupportRequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
DAY = dt.timedelta(days=1)


def window(team: Any = None, days: int = 30) -> Window:
    return Window(days=days, end=NOW, team=team)


def figures(metric: metrics.Metric) -> dict[str, metrics.Figure]:
    return {f.key: f for f in metric.figures}


def onboarded(team: Any, submitted: dt.datetime, onboarded_at: dt.datetime, **kw: Any) -> Any:
    return ScenarioFactory(
        team=team, status="onboarded", first_submitted_at=submitted, submitted_at=submitted,
        onboarded_at=onboarded_at, **kw,
    )  # fmt: skip


@pytest.fixture
def teams() -> tuple[Any, Any]:
    return TeamFactory(slug="alpha", name="Alpha"), TeamFactory(slug="beta", name="Beta")


# Scenario onboarding time


@pytest.fixture
def onboardings(teams: tuple[Any, Any]) -> None:
    alpha, beta = teams
    onboarded(alpha, at(6, 1, 12), at(6, 3, 12))  # 2 days
    onboarded(alpha, at(6, 1, 12), at(6, 5, 12))  # 4 days
    onboarded(alpha, at(5, 31, 12), at(6, 10, 12))  # 10 days
    onboarded(alpha, at(6, 24, 12), NOW)  # 6 days, on the window's end: counted
    onboarded(alpha, at(5, 30, 12), WINDOW_START)  # 1 day, on its start: previous window
    onboarded(beta, at(5, 31, 12), at(6, 20, 12))  # 20 days
    ScenarioFactory(team=alpha, status="approved")  # not onboarded: not counted


@pytest.mark.usefixtures("onboardings")
def test_onboarding_time(teams: tuple[Any, Any]) -> None:
    result = figures(metrics.onboarding_time(window()))
    # 2 4 6 10 20: median 6; p90 at rank 3.6 -> 10 + 0.6 * (20 - 10)
    assert result["count"].value == 5
    assert result["median"].value == pytest.approx(6)
    assert result["p90"].value == pytest.approx(16)
    assert result["median"].previous == pytest.approx(1)
    assert result["median"].change == pytest.approx(5)
    assert result["count"].previous == 1


@pytest.mark.usefixtures("onboardings")
def test_onboarding_time_for_one_team(teams: tuple[Any, Any]) -> None:
    result = figures(metrics.onboarding_time(window(teams[0])))
    # 2 4 6 10: median 5; p90 at rank 2.7 -> 6 + 0.7 * 4
    assert result["count"].value == 4
    assert result["median"].value == pytest.approx(5)
    assert result["p90"].value == pytest.approx(8.8)
    assert figures(metrics.onboarding_time(window(teams[1])))["median"].value == pytest.approx(20)


@pytest.mark.usefixtures("onboardings")
def test_onboarding_time_weekly_series() -> None:
    metric = metrics.onboarding_time(window())
    assert len(metric.series) == 5  # whole weeks ending now: 35 days
    assert metric.series[-1].week_end == NOW
    by_end = {p.week_end: p.value for p in metric.series}
    # newest week (06-23 12:00, 06-30 12:00]: only the 6-day one
    assert by_end[NOW] == pytest.approx(6)
    # (06-16, 06-23]: the 20-day one; (06-09, 06-16]: the 10-day one; (06-02, 06-09]: 2 and 4
    assert by_end[NOW - 7 * DAY] == pytest.approx(20)
    assert by_end[NOW - 14 * DAY] == pytest.approx(10)
    assert by_end[NOW - 21 * DAY] == pytest.approx(3)
    # (05-26, 06-02]: the 1-day one on the window's start
    assert by_end[NOW - 28 * DAY] == pytest.approx(1)


# Self-service adoption


def test_self_service_adoption(teams: tuple[Any, Any], platform_reviewer: Any) -> None:
    alpha, beta = teams
    june = at(6, 1)
    onboarded(alpha, june, at(6, 2))  # self-service
    onboarded(alpha, june, at(6, 3), submitted_by=platform_reviewer)  # platform submitted
    onboarded(alpha, june, at(6, 4), submitted_by=UserFactory())  # not a team member
    onboarded(alpha, june, at(6, 5), created_by=platform_reviewer)  # platform created it
    with_request = onboarded(alpha, june, at(6, 6))
    PlatformExceptionFactory(scenario=with_request, status="requested")  # open exception
    with_closed = onboarded(alpha, june, at(6, 7))  # a closed exception is not open
    PlatformExceptionFactory(scenario=with_closed, status="closed")
    onboarded(beta, june, at(6, 8))  # self-service, other team
    onboarded(alpha, at(5, 1), at(5, 10))  # previous window: self-service
    onboarded(alpha, at(5, 1), at(5, 11), submitted_by=platform_reviewer)  # previous: not

    result = figures(metrics.self_service(window()))
    assert (result["self_service"].value, result["onboarded"].value) == (3, 7)
    assert result["share"].value == pytest.approx(300 / 7)
    assert result["share"].previous == pytest.approx(50)
    team = figures(metrics.self_service(window(alpha)))
    assert (team["self_service"].value, team["onboarded"].value) == (2, 6)
    assert team["share"].value == pytest.approx(100 / 3)


# Incident MTTR and time to acknowledge


def incident(team: Any, severity: str, impact: Any, opened: Any, ack: Any, resolved: Any) -> Any:
    return IncidentFactory(
        scenario=ScenarioFactory(team=team, status="onboarded"), severity=severity,
        status="resolved" if resolved else "acknowledged", impact_started_at=impact,
        opened_at=opened, acknowledged_at=ack, mitigated_at=ack, resolved_at=resolved,
    )  # fmt: skip


@pytest.fixture
def incidents(teams: tuple[Any, Any]) -> None:
    alpha, beta = teams
    incident(alpha, "SEV1", at(6, 10, 10), at(6, 10, 10, 30), at(6, 10, 11), at(6, 10, 12))
    incident(alpha, "SEV1", None, at(6, 12, 0), at(6, 12, 0, 15), at(6, 12, 4))
    incident(alpha, "SEV2", at(6, 15, 0), at(6, 15, 1), at(6, 15, 3), at(6, 15, 10))
    incident(alpha, "SEV3", at(6, 20, 0), at(6, 20, 0), at(6, 20, 1), at(6, 21, 0))
    incident(alpha, "SEV3", at(5, 20, 0), at(5, 20, 0), at(5, 20, 1), at(5, 20, 6))
    incident(alpha, "SEV2", None, at(6, 24, 0), at(6, 25, 0), None)  # acknowledged only
    incident(beta, "SEV4", at(6, 25, 0), at(6, 25, 0), at(6, 25, 0, 30), at(6, 25, 8))


@pytest.mark.usefixtures("incidents")
def test_mttr_overall_previous_and_per_severity() -> None:
    metric = metrics.incident_mttr(window())
    result = figures(metric)
    # resolve times 2 4 10 24 8 (the second SEV1 from its opening): sorted 2 4 8 10 24
    assert result["count"].value == 5
    assert result["median"].value == pytest.approx(8)
    assert result["p90"].value == pytest.approx(18.4)  # rank 3.6: 10 + 0.6 * 14
    assert result["mean"].value == pytest.approx(9.6)
    assert result["median"].previous == pytest.approx(6)
    severity = {row["severity"]: row for row in metric.breakdown}
    assert severity["SEV1"]["count"] == 2
    assert severity["SEV1"]["median"] == pytest.approx(3)
    assert severity["SEV1"]["p90"] == pytest.approx(3.8)  # rank 0.9: 2 + 0.9 * 2
    assert severity["SEV2"]["median"] == pytest.approx(10)
    assert severity["SEV4"]["mean"] == pytest.approx(8)


@pytest.mark.usefixtures("incidents")
def test_mttr_for_one_team(teams: tuple[Any, Any]) -> None:
    metric = metrics.incident_mttr(window(teams[0]))
    result = figures(metric)
    assert result["median"].value == pytest.approx(7)  # 2 4 10 24
    assert result["p90"].value == pytest.approx(19.8)  # rank 2.7: 10 + 0.7 * 14
    assert result["mean"].value == pytest.approx(10)
    assert {row["severity"]: row["count"] for row in metric.breakdown}["SEV4"] == 0


@pytest.mark.usefixtures("incidents")
def test_time_to_acknowledge() -> None:
    result = figures(metrics.time_to_acknowledge(window()))
    # from the opening: 0.5 0.25 2 1 24 0.5; sorted .25 .5 .5 1 2 24
    assert result["count"].value == 6
    assert result["median"].value == pytest.approx(0.75)
    assert result["p90"].value == pytest.approx(13)  # rank 4.5: 2 + 0.5 * 22
    assert result["mean"].value == pytest.approx(28.25 / 6)
    assert result["median"].previous == pytest.approx(1)


def test_incident_window_boundaries(teams: tuple[Any, Any]) -> None:
    alpha = teams[0]
    incident(alpha, "SEV3", None, WINDOW_START - DAY, WINDOW_START - DAY, WINDOW_START)
    incident(alpha, "SEV3", None, NOW - 2 * DAY, NOW - 2 * DAY, NOW)
    result = figures(metrics.incident_mttr(window()))
    assert result["count"].value == 1
    assert result["median"].value == pytest.approx(48)
    assert result["count"].previous == 1
    assert result["median"].previous == pytest.approx(24)


# Cost review and eval coverage


def release(scenario: Any, approved: Any, **kw: Any) -> Any:
    return ReleaseFactory(scenario=scenario, status="approved", approved_at=approved, **kw)


def cost_signoff(rel: Any, revision: int | None = None, decision: str = "approve") -> None:
    SignOffFactory(
        release=rel, kind="cost", decision=decision, actor=rel.scenario.cost_owner,
        revision=revision or rel.revision,
    )  # fmt: skip


def test_cost_review_coverage(teams: tuple[Any, Any]) -> None:
    alpha, beta = teams
    scenario = ScenarioFactory(team=alpha, status="onboarded")
    other = ScenarioFactory(team=beta, status="onboarded")
    covered = release(scenario, at(6, 10))
    cost_signoff(covered)
    SignOffFactory(release=release(other, at(6, 11)), kind="quality")  # quality only
    old_revision = release(scenario, at(6, 12), revision=2)
    cost_signoff(old_revision, revision=1)  # a sign-off of an earlier revision does not count
    cost_signoff(release(scenario, at(6, 13)), decision="reject")
    cost_signoff(release(scenario, WINDOW_START))  # on the start: previous window
    cost_signoff(ReleaseFactory(scenario=scenario, status="submitted"))  # not approved

    result = figures(metrics.release_reviews(window())[0])
    assert (result["reviewed"].value, result["approved"].value) == (1, 4)
    assert result["share"].value == pytest.approx(25)
    assert result["share"].previous == pytest.approx(100)
    team = figures(metrics.release_reviews(window(alpha))[0])
    assert team["share"].value == pytest.approx(100 / 3)


def test_eval_coverage(teams: tuple[Any, Any]) -> None:
    alpha = teams[0]
    scenario = ScenarioFactory(team=alpha, status="onboarded", eval_threshold=Decimal("80"))
    no_threshold = ScenarioFactory(team=alpha, status="approved", eval_threshold=None)
    release(scenario, at(6, 10), eval_score=Decimal("85"))  # above
    release(scenario, at(6, 11), eval_score=Decimal("80"))  # at the threshold: covered
    release(scenario, at(6, 12), eval_score=Decimal("79.99"))  # below
    release(scenario, at(6, 13), eval_score=None)  # no eval results
    release(no_threshold, at(6, 14), eval_score=Decimal("90"))  # nothing to be at or above
    ScenarioFactory(team=alpha, status="onboarded", eval_dataset="")
    ScenarioFactory(team=alpha, status="draft")  # not active
    ScenarioFactory(team=alpha, status="retired")  # not active

    result = figures(metrics.release_reviews(window(alpha))[1])
    assert (result["passed"].value, result["approved"].value) == (2, 5)
    assert result["share"].value == pytest.approx(40)
    assert result["share"].previous is None  # nothing approved before: no data
    assert result["datasets"].value == pytest.approx(200 / 3)  # 2 of the 3 active
    assert result["datasets"].windowed is False


# Undocumented exceptions


def test_undocumented_exceptions(teams: tuple[Any, Any], platform_reviewer: Any) -> None:
    alpha, beta = teams
    scenario = ScenarioFactory(team=alpha, status="onboarded")
    other = ScenarioFactory(team=beta, status="onboarded")

    def exception(on: Any, status: str, **kw: Any) -> Any:
        return PlatformExceptionFactory(scenario=on, status=status, **kw)

    exception(scenario, "detected", created_at=at(6, 1), requested_at=None,
              detected_by=platform_reviewer)  # fmt: skip
    exception(scenario, "approved", expires_on=NOW.date(), decided_at=at(6, 1))  # today
    exception(scenario, "approved", expires_on=NOW.date() + DAY, decided_at=at(6, 1))
    exception(scenario, "requested")
    exception(scenario, "expired", expires_on=at(6, 1).date(), ended_at=at(6, 1))
    exception(other, "approved", expires_on=NOW.date() - DAY, decided_at=at(6, 1))
    # Undocumented at the previous window's end only:
    exception(scenario, "requested", created_at=at(5, 10), requested_at=at(6, 5),
              detected_by=platform_reviewer)  # fmt: skip
    exception(scenario, "expired", expires_on=at(5, 20).date(), decided_at=at(5, 1),
              ended_at=at(6, 2))  # fmt: skip

    metric = metrics.undocumented_exceptions(window())
    result = figures(metric)
    assert result["count"].value == 3
    assert (result["detected"].value, result["past_expiry"].value) == (1, 2)
    assert result["count"].previous == 2
    assert metric.series[-1].value == 3  # the newest trend point is now
    assert figures(metrics.undocumented_exceptions(window(alpha)))["count"].value == 2


# Platform support load


def test_support_load(teams: tuple[Any, Any]) -> None:
    alpha, beta = teams

    def support(team: Any, opened: Any, hours: float | None = None) -> Any:
        answered = None if hours is None else opened + dt.timedelta(hours=hours)
        status = "open" if answered is None else "answered"
        return SupportRequestFactory(
            team=team, opened_at=opened, first_answered_at=answered, status=status
        )

    support(alpha, at(6, 1), 2)
    support(alpha, at(6, 10), 4)
    support(alpha, at(6, 20), 10)
    support(beta, at(6, 25))  # not answered yet
    support(alpha, at(5, 20), 1)  # previous window
    support(alpha, at(5, 30), 48)  # opened before, first answered in the window

    result = figures(metrics.support_load(window()))
    assert result["opened"].value == 4
    assert result["per_week"].value == pytest.approx(4 / (30 / 7))
    assert result["per_week"].previous == pytest.approx(2 / (30 / 7))
    assert result["answered"].value == 4
    assert result["first_answer"].value == pytest.approx(7)  # 2 4 10 48
    assert result["first_answer"].previous == pytest.approx(1)
    team = figures(metrics.support_load(window(alpha)))
    assert team["opened"].value == 3


# Empty windows


def test_empty_window_is_no_data_not_zero() -> None:
    everything = {m.key: m for m in metrics.dashboard(window(days=90))}
    assert len(everything) == 12
    for key in ("onboarding-time", "self-service", "mttr", "time-to-acknowledge",
                "cost-review", "eval-coverage", "team-onboarding-time",
                "human-actions", "platform-wait"):  # fmt: skip
        assert everything[key].headline.value is None, key
        assert everything[key].headline.previous is None, key
        assert everything[key].headline.change is None, key
        assert everything[key].direction == ""
        assert all(point.value is None for point in everything[key].series), key
    assert everything["undocumented-exceptions"].headline.value == 0
    assert everything["support-load"].headline.value == 0
    assert everything["vacant-roles"].headline.value == 0
    assert len(everything["mttr"].series) == 13


def test_dashboard_page_says_no_data(client: Any, outsider: Any) -> None:
    client.force_login(outsider)
    response = client.get("/dashboard/?days=365")
    assert response.status_code == 200
    assert b"no data" in response.content
    assert response.content.count(b'<svg class="chart"') == 12
    # The charts are plain SVG: the page's only script is the portal's own behaviour file.
    assert re.findall(rb"<script[^>]*>", response.content) == [
        b'<script src="/static/js/portal.js" defer>'
    ]
