"""State x transition x person, through the services (no HTTP).

Every cell either performs the transition (new state, one audit row) or is refused with
TransitionConflict (wrong state, checked first) or PermissionDenied, leaving the row as it was.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from portal.core.errors import TransitionConflict
from portal.core.models import AuditEntry
from scenarios.models import Scenario
from tests.scenarios.scenario_fixtures import (
    ALLOWED,
    PERSONAS,
    SOURCES,
    STATES,
    TARGETS,
    run,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("transition", list(SOURCES))
@pytest.mark.parametrize("state", STATES)
def test_matrix(state: str, transition: str, people: dict[str, Any], make_scenario: Any) -> None:
    shared = make_scenario(state)
    for persona in PERSONAS:
        actor = people[persona]
        if state in SOURCES[transition] and persona in ALLOWED[transition]:
            fresh = make_scenario(state)
            run(transition, actor, fresh.pk)
            fresh.refresh_from_db()
            assert fresh.status == TARGETS[transition], persona
            entry = AuditEntry.objects.filter(object_id=str(fresh.pk)).get()
            assert (entry.transition, entry.source, entry.actor) == (transition, state, actor)
            continue
        expected = TransitionConflict if state not in SOURCES[transition] else PermissionDenied
        with pytest.raises(expected):
            run(transition, actor, shared.pk)
    shared.refresh_from_db()
    assert shared.status == state
    assert not AuditEntry.objects.filter(object_id=str(shared.pk)).exists()


@pytest.mark.parametrize("transition", list(SOURCES))
def test_admin_acts_only_as_an_explicit_delegate(
    transition: str, people: dict[str, Any], make_scenario: Any
) -> None:
    state = sorted(SOURCES[transition])[0]
    scenario = make_scenario(state)
    run(transition, people["admin"], scenario.pk, as_delegate=True)
    scenario.refresh_from_db()
    assert scenario.status == TARGETS[transition]
    entry = AuditEntry.objects.get(object_id=str(scenario.pk))
    assert entry.as_delegate and entry.actor == people["admin"]
    if transition in ("approve", "request_changes", "reject"):
        assert scenario.reviews.get().as_delegate


def test_states_match_the_domain() -> None:
    assert {choice for choice, _ in Scenario.Status.choices} == set(STATES)
