from __future__ import annotations

import pytest

from tests.incidents.factories import IncidentFactory
from tests.releases.factories import ReleaseFactory, SignOffFactory
from tests.scenarios.factories import PlatformExceptionFactory, ScenarioFactory

pytestmark = pytest.mark.django_db


def test_complete_scenario_names_every_owner_and_an_escalation_path() -> None:
    scenario = ScenarioFactory()
    assert all(getattr(scenario, field) is not None for field in scenario.RACI_FIELDS)
    assert scenario.escalation_steps.count() == 1
    assert scenario.status == "draft"


def test_incomplete_scenario_names_no_owner() -> None:
    scenario = ScenarioFactory(complete=False)
    assert all(getattr(scenario, field) is None for field in scenario.RACI_FIELDS)


def test_objects_in_a_later_state_carry_their_timestamps() -> None:
    assert ScenarioFactory(status="onboarded").onboarded_at is not None
    assert ReleaseFactory(status="released").released_at is not None
    incident = IncidentFactory(status="resolved")
    assert incident.acknowledged_at < incident.resolved_at
    signoff = SignOffFactory()
    assert signoff.actor == signoff.release.scenario.quality_owner
    assert PlatformExceptionFactory().status == "requested"
