"""Platform wait on a fixed data set with hand-computed answers: the 30-day window ending
2026-06-30 12:00 UTC (SLAs: scenario review 48 h, sign-offs 24 h, amendments 48 h)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest

from dashboard import metrics, sources
from dashboard.drilldowns import DRILLDOWNS
from dashboard.windows import Window
from portal.core import roles
from portal.core.audit import record_transition
from scenarios.models import Amendment
from tests.dashboard.conftest import NOW, at
from tests.factories import TeamFactory, UserFactory
from tests.releases.factories import ReleaseFactory, SignOffFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
H = dt.timedelta(hours=1)


def window(team: Any = None) -> Window:
    return Window(days=30, end=NOW, team=team)


def figures(metric: metrics.Metric) -> dict[str, metrics.Figure]:
    return {f.key: f for f in metric.figures}


def reviewed(
    team: Any,
    reviewer: Any,
    submitted: dt.datetime,
    start_h: float,
    decide_h: float | None,
) -> Any:
    """A scenario submitted at `submitted`, its review started `start_h` hours later and
    decided `decide_h` hours after that."""
    decided = None if decide_h is None else submitted + (start_h + decide_h) * H
    return ScenarioFactory(team=team, status="approved" if decided else "in_review",
                           submitted_at=submitted, first_submitted_at=submitted,
                           review_started_at=submitted + start_h * H, decided_at=decided,
                           reviewer=reviewer)  # fmt: skip


@pytest.fixture
def people() -> dict[str, Any]:
    alpha, beta = TeamFactory(slug="alpha", name="Alpha"), TeamFactory(slug="beta", name="Beta")
    return {
        "alpha": alpha, "beta": beta,
        "ann": UserFactory(username="ann", roles=[roles.PLATFORM_REVIEWER]),
        "bob": UserFactory(username="bob", roles=[roles.PLATFORM_REVIEWER]),
        "po": UserFactory(username="po", roles=[roles.PRODUCT_OWNER], teams=[alpha, beta]),
    }  # fmt: skip


@pytest.fixture
def scenario_waits(frozen: Any, people: dict[str, Any]) -> None:
    alpha, beta, ann, bob = people["alpha"], people["beta"], people["ann"], people["bob"]
    # intake -> review start: 10, 20, 60 (past 48), 100 (past) hours, ending in the window
    reviewed(alpha, ann, at(6, 10), 10, 5)
    reviewed(alpha, ann, at(6, 11), 20, 50)
    reviewed(beta, bob, at(6, 12), 60, None)
    reviewed(beta, bob, at(6, 13), 100, None)
    # previous window: one review started 30 hours after intake, decided 2 hours later
    reviewed(alpha, ann, at(5, 10), 30, 2)
    # a review start before the latest submission does not count (resubmitted, waiting now)
    waiting = ScenarioFactory(team=alpha, status="changes_requested", submitted_at=at(6, 1),
                              first_submitted_at=at(6, 1), review_started_at=at(6, 1, 1),
                              decided_at=at(6, 1, 2), reviewer=ann)  # fmt: skip
    frozen.move_to(at(6, 20))
    waiting.submit(by=people["po"])
    waiting.save()
    frozen.move_to(NOW)


def test_scenario_stages(scenario_waits: None) -> None:
    result = figures(metrics.platform_wait(window()))
    assert result["intake-review_count"].value == 4
    assert result["intake-review_median"].value == pytest.approx(40)  # 10 20 60 100
    assert result["intake-review_p90"].value == pytest.approx(88)  # rank 2.7: 60 + 0.7 * 40
    assert result["intake-review_past_sla"].value == pytest.approx(50)
    assert result["intake-review_median"].previous == pytest.approx(30)
    assert result["intake-review_past_sla"].previous == pytest.approx(0)
    # review -> decision: 5 and 50 (past 48) in the window, 2 before
    assert result["review-decision_count"].value == 2
    assert result["review-decision_median"].value == pytest.approx(27.5)
    assert result["review-decision_past_sla"].value == pytest.approx(50)
    assert result["review-decision_median"].previous == pytest.approx(2)
    # headline: 3 of the 6 timed waits of the window past their SLA; none of the 2 before
    assert result["past_sla"].value == pytest.approx(50)
    assert result["past_sla"].previous == pytest.approx(0)


def test_scenario_stages_by_reviewer_and_team(scenario_waits: None, people: dict[str, Any]) -> None:
    waits = metrics.stage_waits(sources.STAGES["intake-review"], window())
    ann, bob = waits.by_reviewer["ann"], waits.by_reviewer["bob"]
    assert (ann[0].count, ann[0].median, ann[1]) == (2, 15 * 3600, 0)
    assert (bob[0].count, bob[0].median, bob[1]) == (2, 80 * 3600, 2)
    assert waits.by_team["Beta"][1] == 2
    assert set(waits.by_team) == {"Alpha", "Beta"}
    beta = figures(metrics.platform_wait(window(people["beta"])))
    assert beta["intake-review_median"].value == pytest.approx(80)
    assert beta["review-decision_count"].value == 0
    assert beta["review-decision_median"].value is None


def test_signoffs_release_and_amendments(people: dict[str, Any]) -> None:
    alpha, ann, po = people["alpha"], people["ann"], people["po"]
    scenario = ScenarioFactory(team=alpha, status="onboarded")
    submitted = ReleaseFactory(scenario=scenario, status="submitted", submitted_at=at(6, 10))
    SignOffFactory(release=submitted, kind="quality", actor=po, created_at=at(6, 10, 6))
    SignOffFactory(release=submitted, kind="cost", actor=ann, created_at=at(6, 11, 6))  # 30 h
    released = ReleaseFactory(scenario=scenario, status="released", submitted_at=at(6, 1),
                              approved_at=at(6, 2), released_at=at(6, 4, 12))  # fmt: skip
    SignOffFactory(release=released, kind="platform_rollout", actor=ann, created_at=at(6, 3))
    other = ScenarioFactory(team=alpha, status="onboarded")
    Amendment.objects.create(scenario=other, summary="x", requested_by=po, status="rejected",
                             submitted_at=at(6, 5), decided_at=at(6, 8), decided_by=ann)  # fmt: skip
    result = figures(metrics.platform_wait(window()))
    assert result["signoff-quality_median"].value == pytest.approx(6)
    assert result["signoff-quality_past_sla"].value == pytest.approx(0)
    assert result["signoff-cost_median"].value == pytest.approx(30)
    assert result["signoff-cost_past_sla"].value == pytest.approx(100)
    assert result["signoff-platform_rollout_median"].value == pytest.approx(24)  # at the SLA
    assert result["signoff-platform_rollout_past_sla"].value == pytest.approx(0)
    assert result["signoff-product_rollout_count"].value == 0
    assert result["approval-release_median"].value == pytest.approx(60)
    assert result["approval-release_past_sla"].value is None  # no reminder SLA
    assert result["amendment-review_median"].value == pytest.approx(72)
    assert result["amendment-review_past_sla"].value == pytest.approx(100)
    # timed waits: 6, 30, 24, 72 -> two of four past the SLA
    assert result["past_sla"].value == pytest.approx(50)
    waits = metrics.stage_waits(sources.STAGES["approval-release"], window())
    assert list(waits.by_reviewer) == [""]  # nobody in particular ends this wait


def test_platform_actions_per_release(frozen: Any, people: dict[str, Any]) -> None:
    ann, po = people["ann"], people["po"]
    scenario = ScenarioFactory(team=people["alpha"], status="onboarded")
    for actions, others in ((0, 2), (1, 0), (3, 1)):
        release = ReleaseFactory(scenario=scenario, status="released", released_at=at(6, 20))
        for _ in range(actions):
            record_transition(release, transition="x", source="a", target="b", actor=ann)
        for _ in range(others):
            record_transition(release, transition="x", source="a", target="b", actor=po)
    ReleaseFactory(scenario=scenario, status="approved")  # not released: not counted
    result = figures(metrics.platform_wait(window()))
    assert result["released"].value == 3
    assert result["actions_per_release"].value == pytest.approx(1)  # 0 1 3
    assert result["actions_per_release"].previous is None


def test_empty_window_is_no_data() -> None:
    metric = metrics.platform_wait(window())
    assert metric.headline.value is None
    assert all(f.value in (None, 0) for f in metric.figures)
    assert all(point.value is None for point in metric.series)
    stages = len(sources.WAIT_STAGES)
    assert len(metric.figures) == 1 + 4 * stages + 2


def test_breakdown_rows(scenario_waits: None) -> None:
    metric = metrics.platform_wait(window())
    rows = [r for r in metric.tables if r["stage"] == "intake-review"]
    assert [(r["by"], r["name"], r["count"]) for r in rows] == [
        ("reviewer", "ann", 2), ("reviewer", "bob", 2), ("team", "Alpha", 2), ("team", "Beta", 2),
    ]  # fmt: skip
    bob = rows[1]
    assert bob["median"] == pytest.approx(80)
    assert bob["p90"] == pytest.approx(96)  # 60 + 0.9 * 40
    assert bob["past_sla"] == pytest.approx(100)
    assert rows[0]["past_sla"] == pytest.approx(0)


def test_drill_down_lists_the_waits_and_the_breakdown(
    client: Any, outsider: Any, scenario_waits: None
) -> None:
    client.force_login(outsider)
    page = client.get("/dashboard/wait-intake-review/items/?days=30").content.decode()
    assert "<strong>4</strong> in all." in page
    assert "By reviewer and by team" in page
    assert '<th scope="row">bob</th><td>2</td><td>80.0</td><td>96.0</td><td>100%</td>' in page
    late = client.get("/dashboard/wait-intake-review/items/?days=30&past_sla=yes")
    assert "<strong>2</strong> in all." in late.content.decode()
    on_time = client.get("/dashboard/wait-intake-review/items/?days=30&past_sla=no")
    assert "<strong>2</strong> in all." in on_time.content.decode()
    release = client.get("/dashboard/wait-approval-release/items/?days=30").content.decode()
    assert "No data: nothing was counted in this window." in release
    assert client.get("/dashboard/platform-actions/items/?days=30").status_code == 200


def test_every_figure_links_to_a_list() -> None:
    assert {f.drill for f in metrics.platform_wait(window()).figures} <= set(DRILLDOWNS)


def test_csv_has_the_breakdown(client: Any, admin_user: Any, scenario_waits: None) -> None:
    client.force_login(admin_user)
    response = client.get("/dashboard/metrics.csv?days=30")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_key = {(r["metric"], r["figure"]): r for r in rows}
    assert by_key[("platform-wait", "intake-review_median[reviewer=bob]")]["value"] == "80"
    assert by_key[("platform-wait", "intake-review_past_sla[team=Beta]")]["value"] == "100"
    assert by_key[("platform-wait", "intake-review_count[team=Alpha]")]["value"] == "2"
    assert by_key[("platform-wait", "past_sla")]["value"] == "50"
