"""State x transition x person, through the services, without HTTP."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from incidents import policies, services
from incidents.models import Incident
from portal.core.audit import history_for
from portal.core.errors import TransitionConflict
from tests.incidents.factories import IncidentFactory

STATES = ["open", "acknowledged", "mitigated", "resolved", "closed"]
SOURCES = {
    "acknowledge": {"open"},
    "mitigate": {"open", "acknowledged"},
    "resolve": {"acknowledged", "mitigated"},
    "close": {"resolved"},
}
TARGETS = {
    "acknowledge": "acknowledged",
    "mitigate": "mitigated",
    "resolve": "resolved",
    "close": "closed",
}
OWNERS = {"incident_owner", "helper", "product", "prompt", "platform_owner"}
ALLOWED = {
    "acknowledge": {"incident_owner", "helper"},
    "mitigate": OWNERS | {"platform"},
    "resolve": OWNERS | {"platform"},
    "close": {"incident_owner", "helper", "platform_owner", "platform"},
}
PEOPLE = [
    "incident_owner", "helper", "product", "prompt", "platform_owner", "platform", "quality",
    "outsider", "admin",
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("name", list(SOURCES))
def test_transition_matrix(cast: SimpleNamespace, name: str, person: str) -> None:
    actor = getattr(cast, person)
    for state in STATES:
        incident = IncidentFactory(scenario=cast.scenario, status=state, handed_to=cast.helper)
        service = services.TRANSITIONS[name]
        if state not in SOURCES[name]:
            with pytest.raises(TransitionConflict):
                service(incident.pk, actor=actor)
        elif person in ALLOWED[name]:
            done = service(incident.pk, actor=actor)
            assert done.status == TARGETS[name]
            entry = history_for(done).get()
            assert (entry.transition, entry.source, entry.actor) == (name, state, actor)
        else:
            with pytest.raises(PermissionDenied):
                service(incident.pk, actor=actor)
            assert Incident.objects.get(pk=incident.pk).status == state


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(SOURCES))
def test_admin_acts_only_as_recorded_delegate(cast: SimpleNamespace, name: str) -> None:
    state = sorted(SOURCES[name])[0]
    incident = IncidentFactory(scenario=cast.scenario, status=state)
    done = services.TRANSITIONS[name](incident.pk, actor=cast.admin, as_delegate=True)
    assert done.status == TARGETS[name]
    assert history_for(done).get().as_delegate is True


@pytest.mark.django_db
def test_delegate_flag_does_nothing_for_non_admins(cast: SimpleNamespace) -> None:
    incident = IncidentFactory(scenario=cast.scenario)
    with pytest.raises(PermissionDenied):
        services.incident_acknowledge(incident.pk, actor=cast.platform, as_delegate=True)


@pytest.mark.django_db
def test_inactive_and_anonymous_may_do_nothing(cast: SimpleNamespace, inactive_user: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    incident = IncidentFactory(scenario=cast.scenario)
    for user in (inactive_user, AnonymousUser()):
        assert not policies.can_view(user, incident)
        assert not policies.can_open(user)
        assert not policies.can_add_update(user, incident)
        assert not policies.can_mitigate(user, incident)


@pytest.mark.django_db
def test_each_transition_stamps_its_own_time(cast: SimpleNamespace) -> None:
    incident = IncidentFactory(scenario=cast.scenario, acknowledged_at=None)
    owner = cast.incident_owner
    for name, stamp in [
        ("acknowledge", "acknowledged_at"),
        ("mitigate", "mitigated_at"),
        ("resolve", "resolved_at"),
        ("close", "closed_at"),
    ]:
        before = getattr(Incident.objects.get(pk=incident.pk), stamp)
        done = services.TRANSITIONS[name](incident.pk, actor=owner, comment=f"{name} now")
        assert before is None and getattr(done, stamp) is not None
    assert list(done.updates.values_list("kind", flat=True)) == ["state"] * 4
    assert done.updates.last().text == "Closed. close now"


@pytest.mark.django_db
def test_mitigating_an_open_incident_also_stamps_acknowledged(cast: SimpleNamespace) -> None:
    incident = IncidentFactory(scenario=cast.scenario)
    done = services.incident_mitigate(incident.pk, actor=cast.platform)
    assert done.acknowledged_at == done.mitigated_at
