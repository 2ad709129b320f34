"""An eval gate bypass covers the release (revision) it names, not every release of its scenario."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from exceptions import services as exception_services
from exceptions.models import PlatformException
from portal.core.errors import TransitionConflict
from releases import gates, services

pytestmark = pytest.mark.django_db
CASE = {
    "justification": "The eval set is being relabelled.",
    "risk": "medium",
    "risk_reason": "Regressions could ship unseen.",
    "compensating_controls": "Full human review.",
}


def _approved_bypass(release: Any, requester: Any, reviewer: Any) -> PlatformException:
    requested = exception_services.exception_request(
        actor=requester, kind="eval_gate_bypass", release=release, **CASE
    )
    return exception_services.exception_approve(
        requested.pk, actor=reviewer, expires_on=timezone.localdate() + dt.timedelta(days=10)
    )


def _approve_quality(release: Any, actor: Any) -> Any:
    return services.release_sign_off(release.pk, actor=actor, kind="quality", decision="approve")


class TestGateScope:
    def test_a_bypass_lets_only_its_own_release_through(
        self,
        make_release: Any,
        product_owner: Any,
        platform_reviewer: Any,
        quality_owner: Any,
    ) -> None:
        covered = make_release("submitted", eval_score=Decimal("50"))
        sibling = make_release("submitted", eval_score=Decimal("50"))
        bypass = _approved_bypass(covered, product_owner, platform_reviewer)

        assert gates.eval_gate(covered).bypass == bypass
        assert gates.eval_gate(sibling).allows_approval is False
        with pytest.raises(TransitionConflict, match="below the threshold"):
            _approve_quality(sibling, quality_owner)
        assert _approve_quality(covered, quality_owner).exception == bypass

    def test_a_revised_release_is_no_longer_covered(
        self,
        make_release: Any,
        product_owner: Any,
        platform_reviewer: Any,
        quality_owner: Any,
        author: Any,
    ) -> None:
        release = make_release("submitted", eval_score=Decimal("50"))
        _approved_bypass(release, product_owner, platform_reviewer)
        services.release_sign_off(
            release.pk, actor=quality_owner, kind="quality", decision="reject", comment="Redo."
        )
        services.release_revise(release.pk, actor=author)
        services.release_submit(release.pk, actor=author)
        release.refresh_from_db()

        assert release.revision == 2
        assert gates.eval_gate(release).bypass is None


class TestRequest:
    def test_records_the_release_and_its_revision(
        self, make_release: Any, product_owner: Any, scenario: Any
    ) -> None:
        release = make_release("draft")
        requested = exception_services.exception_request(
            actor=product_owner, kind="eval_gate_bypass", release=release, **CASE
        )
        assert (requested.release, requested.release_revision) == (release, 1)
        assert requested.scenario == scenario

    def test_an_eval_gate_bypass_must_name_a_release(
        self, product_owner: Any, scenario: Any
    ) -> None:
        with pytest.raises(ValidationError) as caught:
            exception_services.exception_request(
                actor=product_owner, kind="eval_gate_bypass", scenario=scenario, **CASE
            )
        assert "release" in caught.value.message_dict
        assert not PlatformException.objects.exists()

    @pytest.mark.parametrize(
        ("kind", "status", "message"),
        [
            ("outside_gateway", "draft", "Only an eval gate bypass"),
            ("eval_gate_bypass", "approved", "before its quality sign-off"),
        ],
        ids=["other-kind", "past-quality-signoff"],
    )
    def test_refuses_a_release_it_cannot_cover(
        self, make_release: Any, product_owner: Any, kind: str, status: str, message: str
    ) -> None:
        release = make_release(status)
        with pytest.raises(ValidationError, match=message):
            exception_services.exception_request(
                actor=product_owner, kind=kind, release=release, **CASE
            )
        assert not PlatformException.objects.exists()

    def test_refuses_a_release_of_another_scenario(
        self, make_release: Any, product_owner: Any, scenario: Any
    ) -> None:
        from tests.scenarios.factories import ScenarioFactory

        other = ScenarioFactory(team=scenario.team, status="onboarded", complete=False)
        release = make_release("draft")
        with pytest.raises(ValidationError, match="one of the scenario's releases"):
            exception_services.exception_request(
                actor=product_owner,
                kind="eval_gate_bypass",
                scenario=other,
                release=release,
                **CASE,
            )


class TestInterfaces:
    def test_api_takes_the_release_and_shows_it(
        self, api_client: Any, make_release: Any, product_owner: Any
    ) -> None:
        release = make_release("submitted", eval_score=Decimal("50"))
        api_client.force_authenticate(product_owner)
        response = api_client.post(
            "/api/v1/exceptions/",
            {"kind": "eval_gate_bypass", "release": release.pk, **CASE},
            format="json",
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["release"], body["release_revision"], body["scenario"]) == (
            release.pk,
            1,
            release.scenario_id,
        )

    def test_api_refuses_a_bypass_without_a_release(
        self, api_client: Any, product_owner: Any, scenario: Any
    ) -> None:
        api_client.force_authenticate(product_owner)
        response = api_client.post(
            "/api/v1/exceptions/",
            {"kind": "eval_gate_bypass", "scenario": scenario.pk, **CASE},
            format="json",
        )
        assert response.status_code == 400
        assert "release" in response.json()["errors"]
        assert not PlatformException.objects.exists()

    def test_schema_describes_the_release(self, api_client: Any, product_owner: Any) -> None:
        api_client.force_authenticate(product_owner)
        schema = api_client.get("/api/schema/?format=json").json()
        components = schema["components"]["schemas"]
        assert "release" in components["ExceptionRequestInputRequest"]["properties"]
        assert {"release", "release_revision"} <= set(components["Exception"]["properties"])

    def test_a_blocked_release_page_links_to_a_prefilled_request(
        self, client: Any, make_release: Any, product_owner: Any, quality_owner: Any
    ) -> None:
        release = make_release("submitted", eval_score=Decimal("50"))
        link = f"/exceptions/new/?release={release.pk}"

        client.force_login(product_owner)
        page = client.get(release.get_absolute_url()).content.decode()
        assert link in page
        form = client.get(link).content.decode()
        assert f'<option value="{release.pk}" selected>' in form
        assert '<option value="eval_gate_bypass" selected>' in form

        client.force_login(quality_owner)
        assert link not in client.get(release.get_absolute_url()).content.decode()

    def test_a_passing_release_page_has_no_such_link(
        self, client: Any, make_release: Any, product_owner: Any
    ) -> None:
        release = make_release("submitted", eval_score=Decimal("95"))
        client.force_login(product_owner)
        assert (
            "/exceptions/new/?release="
            not in client.get(release.get_absolute_url()).content.decode()
        )


def test_a_bypassed_gate_reads_as_a_warning(
    client: Any, make_release: Any, product_owner: Any, platform_reviewer: Any
) -> None:
    release = make_release("submitted", eval_score=Decimal("50"))
    _approved_bypass(release, product_owner, platform_reviewer)
    client.force_login(product_owner)
    body = client.get(release.get_absolute_url()).content.decode()
    assert '<p class="warn message message-warning">' in body
    assert "Eval gate: <strong>bypassed</strong>." in body
