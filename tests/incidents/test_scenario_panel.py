"""The scenario page's incidents panel: open incidents first, then the most recent, bounded,
with a link to the scenario's incidents in the list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from incidents import selectors
from tests.incidents.factories import IncidentFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


def _panel(page: Any) -> dict[str, Any]:
    return next(
        p for p in page.context["extra_panels"] if p["template"] == "incidents/_scenario_panel.html"
    )


def test_open_first_then_recent_bounded(product_team: Any, outsider: Any, client: Any) -> None:
    scenario = ScenarioFactory(team=product_team, status="onboarded")
    now = timezone.now()
    shown = selectors.SCENARIO_INCIDENTS_SHOWN
    closed = [
        IncidentFactory(scenario=scenario, status="closed", opened_at=now - dt.timedelta(hours=n))
        for n in range(1, shown + 1)
    ]
    old_open = IncidentFactory(
        scenario=scenario, status="acknowledged", opened_at=now - dt.timedelta(days=9)
    )
    resolved = IncidentFactory(
        scenario=scenario, status="resolved", opened_at=now - dt.timedelta(days=8)
    )
    IncidentFactory(status="open")  # another scenario's
    client.force_login(outsider)
    page = client.get(scenario.get_absolute_url())
    panel = _panel(page)
    rows = panel["rows"]
    assert rows[:2] == [resolved, old_open]  # not closed yet, newest first
    assert rows[2:] == closed[: shown - 2]
    assert (panel["total"], panel["open"]) == (shown + 2, 2)
    html = page.content.decode().split('<section id="scenario-incidents"')[1].split("</section>")[0]
    assert "2 open incidents, listed first" in html
    assert f'href="/incidents/?scenario={scenario.pk}">All {shown + 2} incidents' in html


def test_no_incidents(product_team: Any, outsider: Any, client: Any) -> None:
    scenario = ScenarioFactory(team=product_team, status="onboarded")
    client.force_login(outsider)
    page = client.get(scenario.get_absolute_url())
    assert _panel(page)["rows"] == [] and "No incidents." in page.content.decode()
