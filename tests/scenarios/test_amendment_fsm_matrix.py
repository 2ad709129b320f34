"""Amendments: state x transition x person, through the services (no HTTP).

Every cell either performs the transition (new state, its audit rows) or is refused with
TransitionConflict (wrong state, checked first) or PermissionDenied, leaving all as it was.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied

from portal.core.errors import TransitionConflict
from portal.core.models import AuditEntry
from scenarios.models import Amendment
from tests.scenarios.amendment_fixtures import (
    AMENDMENT_ALLOWED,
    AMENDMENT_ROWS,
    AMENDMENT_SOURCES,
    AMENDMENT_STATES,
    AMENDMENT_TARGETS,
    run_amendment,
)
from tests.scenarios.scenario_fixtures import PERSONAS

pytestmark = pytest.mark.django_db


def _rows(amendment: Amendment) -> list[Any]:
    kind = ContentType.objects.get_for_model(Amendment)
    return list(
        AuditEntry.objects.filter(content_type=kind, object_id=str(amendment.pk)).order_by("seq")
    )


@pytest.mark.parametrize("transition", list(AMENDMENT_SOURCES))
@pytest.mark.parametrize("state", AMENDMENT_STATES)
def test_matrix(
    state: str, transition: str, people: dict[str, Any], make_amendment: Any, new_cost_owner: Any
) -> None:
    shared = make_amendment(state)
    for persona in PERSONAS:
        actor = people[persona]
        if state in AMENDMENT_SOURCES[transition] and persona in AMENDMENT_ALLOWED[transition]:
            fresh = make_amendment(state)
            run_amendment(transition, actor, fresh.pk)
            fresh.refresh_from_db()
            assert fresh.status == AMENDMENT_TARGETS[transition], persona
            rows = _rows(fresh)
            assert [r.transition for r in rows] == AMENDMENT_ROWS.get(transition, [transition])
            assert all(r.actor == actor for r in rows)
            fresh.scenario.refresh_from_db()
            applied = transition == "approve"
            assert (fresh.scenario.cost_owner_id == new_cost_owner.pk) is applied
            continue
        expected = (
            TransitionConflict if state not in AMENDMENT_SOURCES[transition] else PermissionDenied
        )
        with pytest.raises(expected):
            run_amendment(transition, actor, shared.pk)
    shared.refresh_from_db()
    assert shared.status == state
    assert not _rows(shared)
    assert shared.scenario.cost_owner_id != new_cost_owner.pk


@pytest.mark.parametrize("transition", list(AMENDMENT_SOURCES))
def test_admin_acts_only_as_an_explicit_delegate(
    transition: str, people: dict[str, Any], make_amendment: Any
) -> None:
    state = sorted(AMENDMENT_SOURCES[transition])[0]
    amendment = make_amendment(state)
    with pytest.raises(PermissionDenied):
        run_amendment(transition, people["admin"], amendment.pk)
    run_amendment(transition, people["admin"], amendment.pk, as_delegate=True)
    amendment.refresh_from_db()
    assert amendment.status == AMENDMENT_TARGETS[transition]
    assert all(row.as_delegate for row in _rows(amendment))
