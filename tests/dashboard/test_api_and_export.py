"""The metrics and scorecard API, the CSV export and the schema."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest

from dashboard import sources
from support.models import SupportRequest
from tests.dashboard.conftest import NOW, at
from tests.factories import TeamFactory
from tests.incidents.factories import IncidentFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def incidents() -> Any:
    team = TeamFactory(slug="alpha")
    scenario = ScenarioFactory(team=team, status="onboarded")
    for hours in (2, 4):
        IncidentFactory(
            scenario=scenario, status="resolved", severity="SEV2", opened_at=at(6, 10),
            impact_started_at=None, acknowledged_at=at(6, 10, 1),
            resolved_at=at(6, 10) + dt.timedelta(hours=hours),
        )  # fmt: skip
    return team


def test_metrics_api_values_previous_and_series(
    api_client: Any, outsider: Any, incidents: Any
) -> None:
    api_client.force_authenticate(outsider)
    response = api_client.get("/api/v1/metrics/?days=30&team=alpha")
    assert response.status_code == 200
    body = response.json()
    assert body["window"]["days"] == 30
    assert body["window"]["team"] == "alpha"
    assert body["window"]["end"].startswith(NOW.strftime("%Y-%m-%dT%H:%M"))
    metrics = {m["key"]: m for m in body["metrics"]}
    assert list(metrics) == [
        "onboarding-time", "self-service", "mttr", "time-to-acknowledge", "cost-review",
        "eval-coverage", "undocumented-exceptions", "support-load", "vacant-roles",
        "team-onboarding-time", "human-actions", "platform-wait",
    ]  # fmt: skip
    mttr = metrics["mttr"]
    assert mttr["unit"] == "hours"
    assert mttr["value"] == pytest.approx(3)
    assert mttr["previous"] is None
    assert mttr["change"] is None
    assert len(mttr["series"]) == 5
    assert mttr["series"][-1]["value"] is None  # the incidents were resolved three weeks ago
    assert {row["severity"]: row["count"] for row in mttr["breakdown"]}["SEV2"] == 2
    figure = {f["key"]: f for f in mttr["figures"]}["count"]
    assert figure["value"] == 2
    assert figure["items_url"] == "/dashboard/mttr/items/?days=30&team=alpha"
    assert metrics["onboarding-time"]["value"] is not None
    assert metrics["cost-review"]["value"] is None  # nothing approved: no data, not 0


@pytest.mark.parametrize("query", ["days=7", "days=abc", "team=nobody"])
def test_metrics_api_rejects_unknown_window_or_team(
    api_client: Any, outsider: Any, query: str
) -> None:
    api_client.force_authenticate(outsider)
    response = api_client.get(f"/api/v1/metrics/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_api_needs_authentication(api_client: Any) -> None:
    for url in ("/api/v1/metrics/", "/api/v1/scorecard/", "/api/v1/scorecard/1/"):
        assert api_client.get(url).status_code == 401


def test_scorecard_api(api_client: Any, outsider: Any, product_team: Any) -> None:
    scenario = ScenarioFactory(status="onboarded", team=product_team)
    draft = ScenarioFactory(status="draft", team=product_team)
    api_client.force_authenticate(outsider)
    body = api_client.get("/api/v1/scorecard/?sort=name").json()
    assert body["count"] == 1
    card = body["results"][0]
    assert card["scenario"] == scenario.pk
    assert card["team"] == product_team.slug
    assert [i["key"] for i in card["items"]][0] == "owners"
    assert card["applicable"] == 4  # no approved release yet
    rates = {r["key"]: r for r in body["pass_rates"]}
    assert rates["owners"]["rate"] == pytest.approx(100)
    detail = api_client.get(f"/api/v1/scorecard/{scenario.pk}/")
    assert detail.status_code == 200
    assert detail.json()["score"] == pytest.approx(100)
    assert api_client.get(f"/api/v1/scorecard/{draft.pk}/").status_code == 404  # others' draft
    assert api_client.get("/api/v1/scorecard/?sort=bogus").status_code == 400


def test_csv_export_is_for_admins(
    client: Any, admin_user: Any, outsider: Any, incidents: Any
) -> None:
    client.force_login(outsider)
    assert client.get("/dashboard/metrics.csv").status_code == 403
    assert b"metrics.csv" not in client.get("/dashboard/").content
    client.force_login(admin_user)
    response = client.get("/dashboard/metrics.csv?days=30&team=alpha")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "operating-metrics-30d-alpha-20260630.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_key = {(r["metric"], r["figure"]): r for r in rows}
    assert by_key[("mttr", "median")]["value"] == "3"
    assert by_key[("mttr", "median")]["previous"] == ""
    assert by_key[("mttr", "count")]["value"] == "2"
    assert by_key[("support-load", "per_week")]["value"] == "0"
    assert {r["team"] for r in rows} == {"alpha"}
    # every figure of the twelve metrics (support load: four, and one per category; platform
    # wait: the headline, four per stage and two for platform actions)
    stages = len(sources.WAIT_STAGES)
    assert len(rows) == 32 + len(SupportRequest.Category.values) + 3 + 1 + 4 * stages + 2


def test_schema_describes_the_endpoints(api_client: Any, outsider: Any) -> None:
    api_client.force_authenticate(outsider)
    response = api_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/metrics/", "/api/v1/scorecard/", "/api/v1/scorecard/{id}/",
        "/api/v1/support-requests/", "/api/v1/support-requests/{id}/",
        "/api/v1/support-requests/{id}/answer/", "/api/v1/support-requests/{id}/close/",
        "/api/v1/support-requests/{id}/reopen/", "/api/v1/support-requests/{id}/comments/",
    ):  # fmt: skip
        assert path in paths, path
    assert "409" in paths["/api/v1/support-requests/{id}/answer/"]["post"]["responses"]
    assert "400" in paths["/api/v1/metrics/"]["get"]["responses"]
