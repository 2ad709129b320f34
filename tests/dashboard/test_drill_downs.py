"""The drill-down lists hold exactly the rows each figure counted, for any window and team."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dashboard import metrics, sources
from dashboard.windows import Window
from tests.dashboard.conftest import NOW, WINDOW_START, at
from tests.factories import TeamFactory
from tests.incidents.factories import IncidentFactory
from tests.releases.factories import ReleaseFactory, SignOffFactory
from tests.scenarios.factories import PlatformExceptionFactory, ScenarioFactory
from tests.support.factories import SupportRequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def data(platform_reviewer: Any) -> dict[str, Any]:
    alpha, beta = TeamFactory(slug="alpha"), TeamFactory(slug="beta")
    for i, team in enumerate([alpha, alpha, beta, alpha, beta]):
        onboarded_at = at(6, 2 + 5 * i) if i < 4 else WINDOW_START  # the last one: previous
        platform = {"submitted_by": platform_reviewer} if i == 1 else {}
        scenario = ScenarioFactory(
            team=team, status="onboarded", first_submitted_at=onboarded_at - dt.timedelta(days=i + 1),
            onboarded_at=onboarded_at, **platform,
        )  # fmt: skip
        if i == 1:
            continue
        rel = ReleaseFactory(scenario=scenario, status="approved", approved_at=at(6, 3 + i))
        if i % 2 == 0:
            SignOffFactory(release=rel, kind="cost", actor=scenario.cost_owner)
        IncidentFactory(
            scenario=scenario, severity=f"SEV{i + 1}", status="resolved",
            opened_at=at(6, 4 + i), impact_started_at=None, acknowledged_at=at(6, 4 + i, 1),
            resolved_at=at(6, 4 + i, 3 + i),
        )  # fmt: skip
        if i >= 2:
            PlatformExceptionFactory(
                scenario=scenario, status="detected" if i % 2 else "approved",
                expires_on=NOW.date() - dt.timedelta(days=1), requested_at=None,
            )  # fmt: skip
        SupportRequestFactory(
            team=team, opened_at=at(6, 5 + i), first_answered_at=at(6, 5 + i, 2 + i),
            status="answered",
        )  # fmt: skip
    ScenarioFactory(team=alpha, status="approved", eval_dataset="")
    return {"alpha": alpha, "beta": beta}


# figure (metric key, figure key) -> (drill-down key, extra filter)
CHECKS = [
    (("onboarding-time", "count"), ("onboarding-time", "")),
    (("self-service", "onboarded"), ("self-service", "")),
    (("self-service", "self_service"), ("self-service", "self_service=yes")),
    (("mttr", "count"), ("mttr", "")),
    (("time-to-acknowledge", "count"), ("time-to-acknowledge", "")),
    (("cost-review", "approved"), ("cost-review", "")),
    (("cost-review", "reviewed"), ("cost-review", "covered=yes")),
    (("eval-coverage", "approved"), ("eval-coverage", "")),
    (("eval-coverage", "passed"), ("eval-coverage", "covered=yes")),
    (("undocumented-exceptions", "count"), ("undocumented-exceptions", "")),
    (("undocumented-exceptions", "detected"), ("undocumented-exceptions", "state=detected")),
    (("undocumented-exceptions", "past_expiry"), ("undocumented-exceptions", "state=past_expiry")),
    (("support-load", "opened"), ("support-load", "")),
    (("support-load", "answered"), ("support-answered", "")),
]


@pytest.mark.parametrize("team", [None, "alpha", "beta"])
@pytest.mark.parametrize("days", [30, 365])
def test_drill_down_lists_match_the_counts(
    client: Any, outsider: Any, data: dict[str, Any], team: str | None, days: int
) -> None:
    window = Window(days=days, end=NOW, team=data[team] if team else None)
    values = {(m.key, f.key): f for m in metrics.dashboard(window) for f in m.figures}
    if team is None and days == 30:  # the data set counts something everywhere
        assert [values[figure].value for figure, _ in CHECKS] == [
            4, 4, 1, 4, 4, 4, 3, 4, 4, 3, 1, 2, 4, 4,
        ]  # fmt: skip
    client.force_login(outsider)
    query = f"days={days}" + (f"&team={team}" if team else "")
    for (metric, figure), (drill, extra) in CHECKS:
        drill = values[(metric, figure)].drill if not extra else drill
        response = client.get(f"/dashboard/{drill}/items/?{query}&{extra}")
        assert response.status_code == 200
        counted = response.context["page_obj"].paginator.count
        assert counted == values[(metric, figure)].value, (metric, figure, drill, extra)


def test_every_figure_links_to_its_list(client: Any, outsider: Any, data: dict[str, Any]) -> None:
    client.force_login(outsider)
    page = client.get("/dashboard/?days=30&team=alpha").content.decode()
    for metric in metrics.dashboard(Window(days=30, end=NOW, team=data["alpha"])):
        for figure in metric.figures:
            assert f"/dashboard/{figure.drill}/items/?days=30&amp;team=alpha" in page


def test_severity_and_dataset_lists(client: Any, outsider: Any, data: dict[str, Any]) -> None:
    window = Window(days=30, end=NOW)
    mttr = metrics.incident_mttr(window)
    client.force_login(outsider)
    for row in mttr.breakdown:
        response = client.get(f"/dashboard/mttr/items/?days=30&severity={row['severity']}")
        assert response.context["page_obj"].paginator.count == row["count"]
    active = sources.active_scenarios(window)
    response = client.get("/dashboard/eval-datasets/items/?days=30&dataset=no")
    assert response.context["page_obj"].paginator.count == 1
    response = client.get("/dashboard/eval-datasets/items/?days=30")
    assert response.context["page_obj"].paginator.count == active.count()


def test_unknown_list_is_404_and_bad_window_falls_back(client: Any, outsider: Any) -> None:
    client.force_login(outsider)
    assert client.get("/dashboard/nothing/items/").status_code == 404
    response = client.get("/dashboard/mttr/items/?days=7&team=nope")
    assert response.status_code == 200
    assert response.context["window"].days == 90


def test_pages_need_sign_in(client: Any) -> None:
    for url in ("/dashboard/", "/dashboard/mttr/items/", "/dashboard/scorecard/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]
