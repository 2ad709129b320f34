"""Each exception rule has one home that every interface reads: the scenarios an exception may
name, what may be extended, "in force" beside "past expiry", who decides, and the justify page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from exceptions import forms, selectors, services
from exceptions.models import PlatformException
from exceptions.reminders import ExceptionDecision, ExceptionExpiryFinalNotice
from scenarios.models import Scenario
from tests.scenarios.factories import PlatformExceptionFactory, ScenarioFactory

pytestmark = pytest.mark.django_db
Status = PlatformException.Status
BASE = "/api/v1/exceptions/"
CASE = {
    "justification": "Vendor region only.",
    "risk": "low",
    "risk_reason": "Small volume.",
    "compensating_controls": "Vendor logs exported daily.",
}


def _scenario(team: Any, owner: Any, status: str) -> Scenario:
    return ScenarioFactory(team=team, status=status, product_owner=owner, complete=False)


@pytest.mark.parametrize("status", ["rejected", "retired"])
def test_no_request_for_a_scenario_out_of_use(
    api_client: Any, product_team: Any, product_owner: Any, status: str
) -> None:
    """The request form offers no rejected or retired scenario; the service and the API refuse
    one too (they used to refuse only a draft)."""
    scenario = _scenario(product_team, product_owner, status)
    form = forms.RequestForm(user=product_owner)
    assert scenario not in form.fields["scenario"].queryset  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as caught:
        services.exception_request(
            actor=product_owner, kind="outside_gateway", scenario=scenario, **CASE
        )
    assert "scenario" in caught.value.message_dict
    api_client.force_authenticate(product_owner)
    payload = {"kind": "outside_gateway", "scenario": scenario.pk, **CASE}
    response = api_client.post(BASE, payload, format="json")
    assert response.status_code == 400
    assert "scenario" in response.json()["errors"]
    assert not PlatformException.objects.filter(scenario=scenario).exists()


@pytest.mark.parametrize("status", ["rejected", "retired"])
def test_the_platform_still_records_what_it_finds_on_a_scenario_out_of_use(
    product_team: Any, product_owner: Any, platform_reviewer: Any, status: str
) -> None:
    """Detection (the form, the service, the gateway's drift check) refuses only a draft."""
    scenario = _scenario(product_team, product_owner, status)
    assert scenario in forms.DetectForm().fields["scenario"].queryset  # type: ignore[attr-defined]
    detected = services.exception_detect(
        actor=platform_reviewer, kind="outside_gateway", scenario=scenario,
        detection_note="The retired alias still routes traffic.",
    )  # fmt: skip
    assert detected.status == Status.DETECTED
    draft = _scenario(product_team, product_owner, "draft")
    assert draft not in forms.DetectForm().fields["scenario"].queryset  # type: ignore[attr-defined]
    with pytest.raises(ValidationError):
        services.exception_detect(
            actor=platform_reviewer, kind="outside_gateway", scenario=draft, detection_note="x"
        )


@pytest.mark.parametrize("status", [s for s in Status.values if s != "detected"])
def test_the_page_offers_an_extension_exactly_when_the_service_accepts_one(
    client: Any, product_team: Any, product_owner: Any, status: str
) -> None:
    scenario = _scenario(product_team, product_owner, "onboarded")
    exception = PlatformExceptionFactory(
        scenario=scenario, kind="outside_gateway", status=status, requester=product_owner
    )
    client.force_login(product_owner)
    offered = client.get(exception.get_absolute_url()).context["can_extend"]
    try:
        services.exception_request(
            actor=product_owner, kind="outside_gateway", scenario=scenario, extends=exception,
            **CASE,
        )  # fmt: skip
    except ValidationError:
        accepted = False
    else:
        accepted = True
    assert offered == accepted == (status in ("approved", "expired"))


def test_in_force_and_past_expiry_split_the_approvals_with_a_date() -> None:
    today = timezone.localdate()
    by_day = {
        n: PlatformExceptionFactory(status=Status.APPROVED, expires_on=today + dt.timedelta(n))
        for n in (-1, 0, 1, 7)
    }
    PlatformExceptionFactory(status=Status.REQUESTED, expires_on=today + dt.timedelta(3))
    in_force = set(PlatformException.objects.in_force(today))
    past = set(PlatformException.objects.past_expiry(today))
    assert in_force == {by_day[1], by_day[7]}
    assert past == {by_day[-1], by_day[0]}
    soon = set(PlatformException.objects.filter(selectors.expiring_within_q(3, today)))
    assert soon == {by_day[1]}
    now = timezone.now()
    assert set(ExceptionExpiryFinalNotice().waiting(now)) <= in_force


def test_nobody_is_asked_to_decide_what_they_requested(
    platform_reviewer: Any, product_owner: Any
) -> None:
    """The home page card and the reminder read the decide policy's rule."""
    own = PlatformExceptionFactory(status=Status.REQUESTED, requester=platform_reviewer)
    theirs = PlatformExceptionFactory(status=Status.REQUESTED, requester=product_owner)
    PlatformExceptionFactory(status=Status.APPROVED, requester=product_owner)
    card = selectors.work_for(platform_reviewer)["exceptions_to_decide"]
    assert card["count"] == 1
    later = timezone.now() + dt.timedelta(days=30)
    waiting = set(ExceptionDecision().waiting(later))
    assert waiting == {own, theirs}
    rows = (
        ExceptionDecision()
        .waiting(later)
        .annotate(**ExceptionDecision().columns())
        .values_list("pk", "not_to")
    )
    assert dict(rows)[own.pk] == str(platform_reviewer.pk)


def test_the_justify_page_follows_the_transition(
    client: Any, product_team: Any, product_owner: Any
) -> None:
    """Only a detected exception waits for a justification: what `justify` starts from."""
    scenario = _scenario(product_team, product_owner, "onboarded")
    requested = PlatformExceptionFactory(scenario=scenario, status=Status.REQUESTED)
    detected = PlatformExceptionFactory(scenario=scenario, status=Status.DETECTED, requester=None)
    client.force_login(product_owner)
    assert client.get(f"/exceptions/{detected.pk}/justify/").status_code == 200
    response = client.get(f"/exceptions/{requested.pk}/justify/")
    assert response.status_code == 302 and response.url == requested.get_absolute_url()
