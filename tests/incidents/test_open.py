"""Opening an incident: the owners snapshot, missing owners, validation and the emails."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from incidents import services
from incidents.models import Incident
from portal.core.audit import history_for
from portal.core.models import OutboundEmail
from scenarios.models import EscalationStep
from tests.factories import UserFactory
from tests.releases.factories import ReleaseFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


def _open(cast: SimpleNamespace, scenario: Any = None, **kwargs: Any) -> Incident:
    kwargs.setdefault("severity", "SEV3")
    return services.incident_open(
        scenario=scenario or cast.scenario, actor=cast.outsider, title="Wrong answers", **kwargs
    )


def test_owners_are_copied_from_the_raci(cast: SimpleNamespace) -> None:
    incident = _open(cast, description="Cites last year's refund policy.")
    assert incident.status == "open"
    assert incident.product_owner == cast.product
    assert incident.platform_owner == cast.platform_owner
    assert incident.prompt_owner == cast.prompt
    assert incident.incident_owner == cast.incident_owner
    assert incident.escalation_path == [cast.platform_owner.pk, cast.platform.pk]
    assert incident.findings == ""
    assert incident.opened_by == cast.outsider
    assert incident.impact_started_at == incident.opened_at
    entry = history_for(incident).get()
    assert (entry.transition, entry.source, entry.target) == ("open", "", "open")


def test_later_raci_changes_do_not_rewrite_an_open_incident(cast: SimpleNamespace) -> None:
    incident = _open(cast)
    newcomer = UserFactory(username="newcomer")
    scenario = cast.scenario
    scenario.incident_owner = newcomer
    scenario.prompt_owner = newcomer
    scenario.save()
    EscalationStep.objects.filter(scenario=scenario).delete()
    EscalationStep.objects.create(scenario=scenario, position=1, person=newcomer)
    incident.refresh_from_db()
    assert incident.incident_owner == cast.incident_owner
    assert incident.prompt_owner == cast.prompt
    assert incident.escalation_path == [cast.platform_owner.pk, cast.platform.pk]
    assert _open(cast).incident_owner == newcomer


def test_missing_owners_are_named_and_need_confirmation(
    cast: SimpleNamespace, product_team: Any
) -> None:
    scenario = ScenarioFactory(
        status="onboarded",
        team=product_team,
        platform_owner=cast.platform_owner,
        incident_owner=None,
        prompt_owner=None,
        escalation=[],
    )
    with pytest.raises(ValidationError) as refused:
        _open(cast, scenario)
    message = refused.value.message_dict["accept_interim_owner"][0]
    assert "incident owner" in message and "prompt owner" in message
    assert "escalation path" in message and str(cast.platform_owner) in message
    assert not Incident.objects.exists()

    incident = _open(cast, scenario, accept_interim_owner=True)
    assert incident.incident_owner == cast.platform_owner
    assert "no prompt owner" in incident.findings
    assert "no incident owner" in incident.findings
    assert "no escalation path" in incident.findings
    assert f"{cast.platform_owner} is the interim incident owner" in incident.findings


def test_missing_owner_other_than_incident_owner_keeps_the_incident_owner(
    cast: SimpleNamespace,
) -> None:
    cast.scenario.prompt_owner = None
    cast.scenario.save()
    incident = _open(cast, accept_interim_owner=True)
    assert incident.incident_owner == cast.incident_owner
    assert incident.findings == "The scenario's RACI names no prompt owner."


def test_without_incident_and_platform_owner_nobody_could_own_it(
    cast: SimpleNamespace, product_team: Any
) -> None:
    scenario = ScenarioFactory(
        status="onboarded",
        team=product_team,
        platform_owner=None,
        incident_owner=None,
        escalation=[],
    )
    with pytest.raises(ValidationError) as refused:
        _open(cast, scenario, accept_interim_owner=True)
    assert "no owner" in refused.value.message_dict["scenario"][0]
    # A platform member opening it stands in themselves.
    incident = services.incident_open(
        scenario=scenario,
        actor=cast.platform,
        title="Timeouts",
        severity="SEV2",
        accept_interim_owner=True,
    )
    assert incident.incident_owner == cast.platform


def test_release_must_belong_to_the_scenario(cast: SimpleNamespace) -> None:
    other = ReleaseFactory(status="released")
    with pytest.raises(ValidationError) as refused:
        _open(cast, release=other)
    assert "release" in refused.value.message_dict
    own = ReleaseFactory(scenario=cast.scenario, status="released")
    assert _open(cast, release=own).release == own


def test_draft_scenarios_and_future_impact_are_refused(
    cast: SimpleNamespace, product_team: Any
) -> None:
    draft = ScenarioFactory(status="draft", team=product_team)
    with pytest.raises(ValidationError) as refused:
        _open(cast, draft)
    assert "scenario" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _open(cast, impact_started_at=timezone.now() + dt.timedelta(hours=1))
    assert "impact_started_at" in refused.value.message_dict


def test_impact_start_is_kept(cast: SimpleNamespace) -> None:
    started = timezone.now() - dt.timedelta(hours=2)
    assert _open(cast, impact_started_at=started).impact_started_at == started


def test_inactive_people_may_not_open(cast: SimpleNamespace, inactive_user: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.incident_open(
            scenario=cast.scenario, actor=inactive_user, title="x", severity="SEV4"
        )


def test_opening_emails_the_incident_owner_after_commit(
    cast: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        incident = _open(cast)
    assert mail.outbox == []
    assert OutboundEmail.objects.filter(template="incident_opened").count() == 1
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [[cast.incident_owner.email]]
    message = mail.outbox[0]
    assert "acknowledge" in message.subject
    assert f"http://testserver/incidents/{incident.pk}/" in message.body


def test_sev1_also_alerts_the_whole_escalation_path(
    cast: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _open(cast, severity="SEV1")
    sent = {m.subject.split(":")[0]: m.to for m in mail.outbox}
    assert sent["SEV1 incident on Support answers"] == [cast.incident_owner.email]
    assert sorted(sent["SEV1 on Support answers"]) == sorted(
        [cast.platform_owner.email, cast.platform.email]
    )


def test_sev2_does_not_alert_the_escalation_path(
    cast: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _open(cast, severity="SEV2")
    assert [m.to for m in mail.outbox] == [[cast.incident_owner.email]]


def test_a_refused_opening_sends_nothing(
    cast: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        _open(cast, severity="SEV1", release=ReleaseFactory(status="released"))
    assert mail.outbox == []
    assert not OutboundEmail.objects.exists()
