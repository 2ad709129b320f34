"""Closing with a postmortem, hand-over, timeline updates: the services."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from incidents import selectors, services
from incidents.models import Postmortem
from portal.core.audit import history_for
from portal.core.errors import TransitionConflict
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db

DUE = dt.date(2030, 1, 31)


def _postmortem(incident: Any, actor: Any, **overrides: Any) -> Postmortem:
    fields: dict[str, Any] = {
        "summary": "Stale index served last year's refund policy.",
        "timeline": "09:00 impact, 09:10 opened, 09:40 rolled back.",
        "contributing_factors": "Index rebuild skipped; no freshness alert.",
        "what_went_well": "Rollback took two minutes.",
        "action_items": [{"description": "Freshness alert", "owner": actor, "due_on": DUE}],
    }
    fields.update(overrides)
    return services.incident_postmortem_save(incident.pk, actor=actor, **fields)


@pytest.mark.parametrize("severity", ["SEV1", "SEV2"])
def test_sev1_and_sev2_close_only_with_a_postmortem(cast: SimpleNamespace, severity: str) -> None:
    incident = IncidentFactory(scenario=cast.scenario, status="resolved", severity=severity)
    with pytest.raises(TransitionConflict) as refused:
        services.incident_close(incident.pk, actor=cast.incident_owner)
    assert refused.value.code == "postmortem_required"
    assert f"{severity} incident closes only with a postmortem" in refused.value.message
    incident.refresh_from_db()
    assert incident.status == "resolved" and incident.closed_at is None
    assert not history_for(incident).exists()
    assert selectors.incident_actions(incident, cast.incident_owner) == []

    _postmortem(incident, cast.incident_owner)
    incident.refresh_from_db()
    assert [a.name for a in selectors.incident_actions(incident, cast.incident_owner)] == ["close"]
    assert services.incident_close(incident.pk, actor=cast.incident_owner).status == "closed"


@pytest.mark.parametrize("severity", ["SEV3", "SEV4"])
def test_minor_incidents_close_without_a_postmortem(cast: SimpleNamespace, severity: str) -> None:
    incident = IncidentFactory(scenario=cast.scenario, status="resolved", severity=severity)
    assert services.incident_close(incident.pk, actor=cast.platform).status == "closed"


def test_permission_is_checked_before_the_postmortem(cast: SimpleNamespace) -> None:
    incident = IncidentFactory(scenario=cast.scenario, status="resolved", severity="SEV1")
    with pytest.raises(PermissionDenied):
        services.incident_close(incident.pk, actor=cast.outsider)


def test_postmortem_needs_every_part(cast: SimpleNamespace) -> None:
    incident = IncidentFactory(scenario=cast.scenario, status="resolved", severity="SEV1")
    with pytest.raises(ValidationError) as refused:
        _postmortem(incident, cast.incident_owner, what_went_well=" ", summary="")
    assert set(refused.value.message_dict) == {"what_went_well", "summary"}
    with pytest.raises(ValidationError) as refused:
        _postmortem(incident, cast.incident_owner, action_items=[])
    assert "action_items" in refused.value.message_dict
    with pytest.raises(ValidationError):
        _postmortem(
            incident,
            cast.incident_owner,
            action_items=[{"description": "Alert", "owner": None, "due_on": DUE}],
        )
    assert not Postmortem.objects.exists()


def test_postmortem_is_replaced_and_final_once_closed(cast: SimpleNamespace) -> None:
    incident = IncidentFactory(scenario=cast.scenario, status="resolved", severity="SEV2")
    _postmortem(incident, cast.incident_owner)
    items = [
        {"description": "Alert", "owner": cast.product, "due_on": DUE, "done": True},
        {"description": "Runbook", "owner": cast.platform, "due_on": DUE},
    ]
    postmortem = _postmortem(incident, cast.platform, summary="Rewritten.", action_items=items)
    assert postmortem.summary == "Rewritten." and postmortem.author == cast.platform
    assert [(i.description, i.owner, i.done) for i in postmortem.action_items.all()] == [
        ("Alert", cast.product, True),
        ("Runbook", cast.platform, False),
    ]
    assert [u.text for u in incident.updates.all()] == [
        "Postmortem written.",
        "Postmortem updated.",
    ]
    with pytest.raises(PermissionDenied):
        _postmortem(incident, cast.product)
    services.incident_close(incident.pk, actor=cast.incident_owner)
    with pytest.raises(TransitionConflict):
        _postmortem(incident, cast.incident_owner)


def test_hand_over_is_recorded_and_lets_the_new_holder_acknowledge(
    cast: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    incident = IncidentFactory(scenario=cast.scenario)
    with pytest.raises(PermissionDenied):
        services.incident_acknowledge(incident.pk, actor=cast.helper)
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_hand_over(
            incident.pk, actor=cast.incident_owner, to=cast.helper, comment="You know the index."
        )
    incident.refresh_from_db()
    assert incident.handed_to == cast.helper
    entry = history_for(incident).get()
    assert entry.transition == "hand_over" and entry.actor == cast.incident_owner
    assert "Handed over to Helper. You know the index." in entry.comment
    assert incident.updates.get().kind == "hand_over"
    assert [m.to for m in mail.outbox] == [[cast.helper.email]]
    assert "handed to you" in mail.outbox[0].subject
    done = services.incident_acknowledge(incident.pk, actor=cast.helper)
    assert done.status == "acknowledged"


def test_hand_over_rules(cast: SimpleNamespace) -> None:
    incident = IncidentFactory(scenario=cast.scenario, status="mitigated")
    with pytest.raises(PermissionDenied):
        services.incident_hand_over(incident.pk, actor=cast.platform, to=cast.helper)
    with pytest.raises(ValidationError):
        services.incident_hand_over(incident.pk, actor=cast.incident_owner, to=cast.incident_owner)
    services.incident_hand_over(incident.pk, actor=cast.incident_owner, to=cast.helper)
    # The holder may pass it on, or back to the incident owner, which clears the hand-over.
    services.incident_hand_over(incident.pk, actor=cast.helper, to=cast.incident_owner)
    incident.refresh_from_db()
    assert incident.handed_to is None
    delegated = services.incident_hand_over(
        incident.pk, actor=cast.admin, to=cast.helper, as_delegate=True
    )
    assert delegated.handed_to == cast.helper
    assert history_for(incident).last().as_delegate is True
    closed = IncidentFactory(scenario=cast.scenario, status="closed")
    with pytest.raises(TransitionConflict):
        services.incident_hand_over(closed.pk, actor=cast.incident_owner, to=cast.helper)


def test_anyone_signed_in_adds_updates_until_closed(cast: SimpleNamespace) -> None:
    incident = IncidentFactory(scenario=cast.scenario, status="acknowledged")
    update = services.incident_add_update(incident.pk, actor=cast.outsider, text=" Seen it too. ")
    assert (update.author, update.kind, update.text) == (cast.outsider, "note", "Seen it too.")
    with pytest.raises(ValidationError):
        services.incident_add_update(incident.pk, actor=cast.outsider, text="  ")
    closed = IncidentFactory(scenario=cast.scenario, status="closed")
    with pytest.raises(TransitionConflict):
        services.incident_add_update(closed.pk, actor=cast.incident_owner, text="Late note")


def test_work_for_lists_what_waits(cast: SimpleNamespace) -> None:
    IncidentFactory(scenario=cast.scenario)
    IncidentFactory(scenario=cast.scenario, status="resolved", severity="SEV1")
    work = selectors.work_for(cast.incident_owner)
    assert work["incidents_to_acknowledge"]["count"] == 1
    assert work["incident_postmortems_due"]["count"] == 1
    assert selectors.work_for(cast.outsider) == {}
