"""Rules of the releases app that have one home each: who may draft a release (the list's "New
release" and the create page ask the same policy as the service), which releases an eval gate
bypass may name, when rollout sign-offs are owed, and who is asked to sign a submitted release."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from exceptions.selectors import requestable_releases
from releases import gates, services
from releases.models import Release
from tests.factories import UserFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db

CREATE_URL = "/releases/new/"
DRAFT = {"title": "Better answers", "change_type": "model", "model_name": "gpt-x",
         "alias_name": "platform-tools"}  # fmt: skip


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestWhoMayDraft:
    @pytest.fixture
    def platform_member(self, platform_team: Any) -> Any:
        """A member of a (platform) team that owns a live scenario: its team member may draft."""
        ScenarioFactory(name="Platform tooling", status="approved", team=platform_team)
        return UserFactory(username="platform-engineer", teams=[platform_team])

    @pytest.mark.parametrize("who", ["platform_member", "other_product_owner", "author"])
    def test_the_new_release_button_shows_exactly_when_the_create_page_opens(
        self, who: str, request: Any, scenario: Any
    ) -> None:
        client = _client(request.getfixturevalue(who))
        offered = CREATE_URL in client.get("/releases/").content.decode()
        opens = client.get(CREATE_URL).status_code == 200
        assert offered == opens

    def test_a_team_member_of_a_live_scenario_drafts_from_the_page(
        self, platform_member: Any
    ) -> None:
        client = _client(platform_member)
        [scenario] = client.get(CREATE_URL).context["form"].fields["scenario"].queryset
        response = client.post(CREATE_URL, {**DRAFT, "scenario": scenario.pk})
        assert response.status_code == 302
        assert Release.objects.get().author == platform_member

    def test_a_product_team_without_a_live_scenario_is_not_offered_the_form(
        self, scenario: Any, other_product_owner: Any
    ) -> None:
        client = _client(other_product_owner)
        assert CREATE_URL not in client.get("/releases/").content.decode()
        assert client.get(CREATE_URL).status_code == 403


class TestEvalBypassStates:
    @pytest.mark.parametrize("status", [s.value for s in Release.Status])
    def test_the_request_form_and_the_release_page_name_the_same_releases(
        self, status: str, make_release: Any, product_owner: Any
    ) -> None:
        release = make_release(status, eval_score=None)
        listed = release in requestable_releases(product_owner)
        page = _client(product_owner).get(release.get_absolute_url()).content.decode()
        linked = f"?release={release.pk}" in page
        assert listed == linked == (status in ("draft", "submitted"))


class TestRolloutSignoffs:
    @pytest.mark.parametrize("status", ["submitted", "rolling_out", "released"])
    def test_owed_only_in_the_state_the_rules_name(self, status: str, make_release: Any) -> None:
        assert gates.missing_rollout_signoffs(make_release(status)) == []

    def test_owed_once_approved(self, make_release: Any) -> None:
        release = make_release("approved", change_type="model")
        assert gates.missing_rollout_signoffs(release) == ["product_rollout", "platform_rollout"]


def test_submit_asks_the_signers_the_rules_name(
    make_release: Any, author: Any, quality_owner: Any, cost_owner: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    release = make_release()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.release_submit(release.pk, actor=author)
    assert sorted(to for email in mail.outbox for to in email.to) == sorted(
        [quality_owner.email, cost_owner.email]
    )


class TestCostComment:
    @pytest.mark.parametrize(("cost_per_request", "required"), [("0.001", False), ("1", True)])
    def test_the_form_asks_for_a_reason_exactly_when_the_service_requires_one(
        self, cost_per_request: str, required: bool, make_release: Any, cost_owner: Any
    ) -> None:
        release = make_release(
            "submitted",
            cost_per_request=Decimal(cost_per_request),
            accepted_outcome_rate=Decimal("50"),
        )
        page = _client(cost_owner).get(release.get_absolute_url()).content.decode()
        assert ("Comment (required to approve:" in page) == required
        try:
            services.release_sign_off(release.pk, actor=cost_owner, kind="cost", decision="approve")
        except ValidationError as exc:
            refused = "comment" in exc.message_dict
        else:
            refused = False
        assert refused == required
