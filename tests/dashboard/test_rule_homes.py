"""The dashboard reads the other apps' rules: the scorecard's exception facts are the register's
named sets (`.open()`, `.past_expiry(day)`, `untracked_q()`) on every path that computes them,
and the drill-down's "past expiry" filter is `past_expiry_q`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from dashboard import drilldowns, scorecard
from dashboard.windows import Window
from exceptions.models import PlatformException
from scenarios import selectors as scenario_selectors
from scenarios.models import Scenario
from tests.scenarios.factories import PlatformExceptionFactory, ScenarioFactory

pytestmark = pytest.mark.django_db
Status = PlatformException.Status


def _facts_on_every_path(scenario: Scenario, admin: Any) -> list[Any]:
    return [
        scorecard.annotate(Scenario.objects.filter(pk=scenario.pk)).get(),
        scorecard.facts_for(scenario),
        scorecard.facts_for(scenario_selectors.scenario_detail(admin, scenario.pk)),
    ]


def test_the_scorecard_counts_every_open_exception(admin_user: Any) -> None:
    """Open is `PlatformException.OPEN`: a detected exception is open too (the scorecard used
    to count only requested and approved ones)."""
    scenario = ScenarioFactory(status="onboarded")
    today = timezone.localdate()
    for status, expires in (
        (Status.DETECTED, None),
        (Status.REQUESTED, None),
        (Status.APPROVED, today + dt.timedelta(days=5)),
        (Status.APPROVED, None),
        (Status.EXPIRED, today - dt.timedelta(days=5)),
        (Status.REJECTED, None),
    ):
        PlatformExceptionFactory(scenario=scenario, status=status, expires_on=expires)
    exceptions = PlatformException.objects.filter(scenario=scenario)
    expected = (4, 1)  # detected, requested and both approved; the approved one with no date
    assert exceptions.open().count() == expected[0]
    for row in _facts_on_every_path(scenario, admin_user):
        assert (row.sc_open, row.sc_untracked) == expected


def test_the_past_expiry_filter_is_past_expiry_q() -> None:
    today = timezone.localdate()
    detected = PlatformExceptionFactory(status=Status.DETECTED, requested_at=None)
    lapsed = PlatformExceptionFactory(status=Status.APPROVED, expires_on=today)
    PlatformExceptionFactory(status=Status.APPROVED, expires_on=today + dt.timedelta(days=1))
    drill = drilldowns.DRILLDOWNS["undocumented-exceptions"]
    window = Window.ending_now(days=30)

    def listed(state: str) -> set[Any]:
        return set(drilldowns.rows_for(drill, window, {"state": state}))

    assert listed("past_expiry") == set(PlatformException.objects.past_expiry(today)) == {lapsed}
    assert listed("detected") == {detected}
    reasons = {row.pk: drilldowns._undocumented_reason(row) for row in listed("")}
    assert reasons[detected.pk] == "detected, not justified"
    assert reasons[lapsed.pk].startswith("approved, expired on")
