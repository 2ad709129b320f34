"""The vacant-roles metric: live scenarios with a vacant RACI role or escalation step, now, at
the window's start and week by week; its drill-down lists exactly the scenarios counted now."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from dashboard import metrics
from dashboard.windows import Window
from scenarios.models import Scenario, Vacancy
from tests.dashboard.conftest import NOW, WINDOW_START
from tests.factories import UserFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
DAY = dt.timedelta(days=1)


def _vacancy(scenario: Scenario, *, kind: str = "role", place: str = "cost_owner",
             opened: dt.datetime, ended: dt.datetime | None = None) -> Vacancy:  # fmt: skip
    return Vacancy.objects.create(
        scenario=scenario, content_type=ContentType.objects.get_for_model(Scenario),
        object_id=scenario.pk, kind=kind, place=place, label=place.replace("_", " "),
        person=UserFactory(), left_at=opened, opened_at=opened, ended_at=ended,
        status="open" if ended is None else "filled",
    )  # fmt: skip


def _metric(days: int = 30, team: Any = None) -> metrics.Metric:
    return metrics.vacant_roles(Window(days=days, end=NOW, team=team))


def test_counts_live_scenarios_with_an_open_role_vacancy() -> None:
    live = ScenarioFactory(status="onboarded")
    _vacancy(live, opened=NOW - 3 * DAY)
    _vacancy(live, place="escalation:1", kind="escalation", opened=NOW - 2 * DAY)
    approved = ScenarioFactory(status="approved")
    _vacancy(approved, place="quality_owner", opened=NOW - 40 * DAY)  # open since before
    filled = ScenarioFactory(status="onboarded")
    _vacancy(filled, opened=NOW - 40 * DAY, ended=NOW - 10 * DAY)  # open then, filled since
    _vacancy(ScenarioFactory(status="draft"), opened=NOW - 3 * DAY)  # not live
    _vacancy(ScenarioFactory(status="retired"), opened=NOW - 3 * DAY)
    incident_only = ScenarioFactory(status="onboarded")
    _vacancy(incident_only, kind="incident_owner", place="incident_owner", opened=NOW - DAY)

    metric = _metric()
    count, places = metric.figures
    assert (count.value, count.previous, places.value) == (2, 2, 3)
    # Weeks end at NOW - 28, -21, -14, -7 and NOW (oldest first).
    assert [p.value for p in metric.series] == [2, 2, 2, 1, 2]


def test_a_team_sees_its_own_scenarios() -> None:
    mine = ScenarioFactory(status="onboarded")
    _vacancy(mine, opened=NOW - DAY)
    _vacancy(ScenarioFactory(status="onboarded"), opened=NOW - DAY)
    assert _metric(team=mine.team).headline.value == 1
    assert _metric().headline.value == 2


def test_the_drill_down_lists_the_scenarios_counted(
    client: Any, outsider: Any, admin_user: Any
) -> None:
    counted = ScenarioFactory(status="onboarded", name="Refund triage")
    _vacancy(counted, opened=WINDOW_START + DAY)
    filled = ScenarioFactory(status="onboarded", name="Filled one")
    _vacancy(filled, opened=NOW - 5 * DAY, ended=NOW - DAY)
    client.force_login(outsider)
    html = client.get("/dashboard/vacant-roles/items/").content.decode()
    assert "Refund triage" in html
    assert "vacant: cost owner (was" in html
    assert "Filled one" not in html
    client.force_login(admin_user)  # CSV exports are the admins'
    csv = client.get("/dashboard/metrics.csv?days=30").content.decode()
    assert "\r\nvacant-roles,count,count,1,0,1,30,all," in csv
