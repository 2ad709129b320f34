"""Demo scenarios: every state, real histories, and a second run changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from portal.core import demo as core_demo
from portal.core.audit import history_for
from portal.core.models import AuditEntry
from scenarios import demo
from scenarios.models import Scenario, ScenarioReview, Tool
from tests.scenarios.scenario_fixtures import STATES

pytestmark = pytest.mark.django_db


def _load() -> dict[str, Any]:
    people: dict[str, Any] = {}
    core_demo.load(people)
    demo.load_scenarios(people)
    return people


def test_demo_scenarios_in_every_state_and_idempotent() -> None:
    people = _load()
    assert {s.status for s in Scenario.objects.all()} == set(STATES)
    for slug in ("support-ai", "back-office"):
        assert Scenario.objects.filter(team__slug=slug).count() >= 5
    onboarded = Scenario.objects.get(name="Invoice matching agent")
    assert onboarded.onboarded_at > onboarded.submitted_at
    transitions = history_for(onboarded)
    assert [e.transition for e in transitions] == [
        "create", "submit", "start_review", "approve", "onboard",
    ]  # fmt: skip
    assert ScenarioReview.objects.filter(decision="request_changes").exists()
    assert Tool.objects.get(name="legacy-faq-db").stability == "deprecated"
    assert not Tool.objects.get(name="shell-exec").allowed
    assert set(people["scenarios"]) == {spec["name"] for spec in demo.SCENARIOS}

    counts = (Scenario.objects.count(), AuditEntry.objects.count(), ScenarioReview.objects.count())
    again = _load()
    assert (
        Scenario.objects.count(),
        AuditEntry.objects.count(),
        ScenarioReview.objects.count(),
    ) == counts
    assert again["scenarios"]["Ticket triage"].pk == people["scenarios"]["Ticket triage"].pk
