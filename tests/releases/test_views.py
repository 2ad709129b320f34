"""The release pages: list, inbox, detail, forms and one POST per transition."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from releases.models import ModelAlias, Release, SignOff
from tests.releases.factories import SignOffFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


class TestList:
    def test_lists_visible_releases_with_filters(
        self, make_release: Any, outsider: Any, scenario: Any
    ) -> None:
        released = make_release("released", title="Live one")
        make_release("draft", title="Secret draft")
        make_release("submitted", title="Under review")

        response = _client(outsider).get("/releases/")
        body = response.content.decode()
        assert response.status_code == 200
        assert "Live one" in body and "Under review" in body
        assert "Secret draft" not in body

        body = _client(outsider).get("/releases/?status=released").content.decode()
        assert "Live one" in body and "Under review" not in body
        body = _client(outsider).get(f"/releases/?scenario={scenario.pk}").content.decode()
        assert released.title in body

    def test_awaiting_filter(self, make_release: Any, quality_owner: Any, cost_owner: Any) -> None:
        waiting = make_release("submitted", title="Needs quality")
        done = make_release("submitted", title="Quality given")
        SignOffFactory(release=done, kind="quality", actor=quality_owner)

        body = _client(quality_owner).get("/releases/?awaiting=on").content.decode()

        assert waiting.title in body and done.title not in body

    def test_awaiting_filter_applies_the_fast_path(
        self, make_release: Any, platform_owner: Any
    ) -> None:
        make_release("approved", title="Prompt tweak", change_type="prompt_only")
        normal = make_release("approved", title="Model change")
        response = _client(platform_owner).get("/releases/?awaiting=on")
        assert list(response.context["releases"]) == [normal]

    def test_team_sees_its_drafts(self, make_release: Any, product_owner: Any) -> None:
        make_release("draft", title="Our draft")
        assert "Our draft" in _client(product_owner).get("/releases/").content.decode()

    def test_anonymous_is_sent_to_login(self) -> None:
        response = Client().get("/releases/")
        assert response.status_code == 302 and "/login/" in response["Location"]

    def test_paginates(self, make_release: Any, outsider: Any) -> None:
        for _ in range(27):
            make_release("submitted")
        body = _client(outsider).get("/releases/?status=submitted&page=2").content.decode()
        assert "Page 2 of 2" in body
        assert "status=submitted&amp;page=1" in body


class TestInbox:
    def test_shows_only_my_due_signoffs_oldest_first(
        self, make_release: Any, quality_owner: Any, cost_owner: Any
    ) -> None:
        import datetime as dt

        from django.utils import timezone

        now = timezone.now()
        newer = make_release("submitted", title="Newer", submitted_at=now - dt.timedelta(hours=1))
        older = make_release("submitted", title="Older", submitted_at=now - dt.timedelta(days=3))
        make_release("approved", title="Already approved")
        make_release("submitted", title="Mine", author=quality_owner)

        response = _client(quality_owner).get("/releases/sign-offs/")

        items = response.context["items"]
        assert [i.release for i in items] == [older, newer]
        assert {i.kind for i in items} == {"quality"}
        assert "3\xa0days" in response.content.decode()

    def test_rollout_signoffs_once_approved_and_fast_path_skips_platform(
        self, make_release: Any, platform_owner: Any
    ) -> None:
        normal = make_release("approved", title="Model change")
        make_release("approved", title="Prompt tweak", change_type="prompt_only")
        items = _client(platform_owner).get("/releases/sign-offs/").context["items"]
        assert [(i.release, i.kind) for i in items] == [(normal, "platform_rollout")]


class TestDetail:
    def test_compares_with_what_the_alias_serves_or_the_release_replaced(
        self, make_release: Any, platform_owner: Any, outsider: Any
    ) -> None:
        from releases import services

        first = make_release("rolling_out", model_name="first-model")
        services.release_release(first.pk, actor=platform_owner)
        second = make_release("rolling_out", model_name="second-model")
        services.release_release(second.pk, actor=platform_owner)
        alias = ModelAlias.objects.get(name=second.alias_name)
        client = _client(outsider)

        waiting = make_release("submitted", model_name="next-model")
        response = client.get(waiting.get_absolute_url())
        body = response.content.decode()
        assert response.context["current"] == second
        assert f'href="/releases/aliases/{alias.pk}/"' in body
        assert "the release the alias serves now" in body

        response = client.get(second.get_absolute_url())
        assert response.context["current"] == first
        assert "the release this one replaced" in response.content.decode()

        elsewhere = make_release("submitted", alias_name="brand-new-alias")
        body = client.get(elsewhere.get_absolute_url()).content.decode()
        assert "(created when first released)" in body
        assert "/releases/aliases/" not in body

    def test_shows_diff_panels_and_my_signoff_form_only(
        self, make_release: Any, platform_owner: Any, quality_owner: Any
    ) -> None:
        from releases import services

        live = make_release("rolling_out", model_name="old-model", prompt_version="v1")
        services.release_release(live.pk, actor=platform_owner)
        release = make_release("submitted", model_name="new-model", prompt_version="v2")

        response = _client(quality_owner).get(release.get_absolute_url())

        body = response.content.decode()
        assert response.status_code == 200
        diff = {row["label"]: row for row in response.context["diff"]}
        assert (diff["Model"]["changed"], diff["Prompt"]["changed"]) == (True, True)
        assert "old-model" in body and "new-model" in body
        assert "Eval gate: passed" in body
        assert "Within budget and target." in body
        assert f"/releases/{release.pk}/sign-off/quality/" in body
        assert f"/releases/{release.pk}/sign-off/cost/" not in body

    def test_quality_form_offers_no_approve_when_gate_blocks(
        self, make_release: Any, quality_owner: Any
    ) -> None:
        release = make_release("submitted", eval_score=Decimal("10"))
        response = _client(quality_owner).get(release.get_absolute_url())
        slot = next(s for s in response.context["slots"] if s.kind == "quality")
        assert slot.can_sign and not slot.can_approve
        assert 'value="approve"' not in response.content.decode()

    def test_admin_sees_delegate_forms(self, make_release: Any, admin_user: Any) -> None:
        release = make_release("submitted")
        body = _client(admin_user).get(release.get_absolute_url()).content.decode()
        assert "as a delegate of" in body
        assert 'name="as_delegate"' in body

    def test_draft_of_another_team_is_404(
        self, make_release: Any, other_product_owner: Any
    ) -> None:
        release = make_release("draft")
        assert _client(other_product_owner).get(release.get_absolute_url()).status_code == 404

    def test_buttons_follow_state_and_person(
        self, make_release: Any, author: Any, outsider: Any
    ) -> None:
        release = make_release("draft")
        actions = _client(author).get(release.get_absolute_url()).context["actions"]
        assert [a.name for a in actions] == ["submit"]
        release = make_release("submitted")
        assert _client(outsider).get(release.get_absolute_url()).context["actions"] == []

    def test_start_rollout_offered_only_when_signoffs_are_in(
        self, make_release: Any, product_owner: Any, platform_owner: Any
    ) -> None:
        release = make_release("approved")
        page = _client(platform_owner).get(release.get_absolute_url())
        assert "start_rollout" not in [a.name for a in page.context["actions"]]
        SignOffFactory(release=release, kind="product_rollout", actor=product_owner)
        SignOffFactory(release=release, kind="platform_rollout", actor=platform_owner)
        page = _client(platform_owner).get(release.get_absolute_url())
        assert "start_rollout" in [a.name for a in page.context["actions"]]


class TestForms:
    def _data(self, scenario: Any = None, **overrides: Any) -> dict[str, Any]:
        data = {
            "title": "Better answers",
            "change_type": "model",
            "model_name": "gpt-x",
            "model_version": "2026-01",
            "alias_name": "support-chat",
            "eval_score": "90",
            "cost_per_request": "0.001",
            "accepted_outcome_rate": "50",
        }
        if scenario is not None:
            data["scenario"] = scenario.pk
        return {**data, **overrides}

    def test_team_member_creates_a_draft(self, scenario: Any, author: Any) -> None:
        response = _client(author).post("/releases/new/", self._data(scenario))
        release = Release.objects.get()
        assert response.status_code == 302 and response["Location"] == release.get_absolute_url()
        assert (release.status, release.author, release.scenario) == ("draft", author, scenario)

    def test_other_team_cannot_pick_the_scenario(
        self, scenario: Any, other_product_owner: Any, other_team: Any
    ) -> None:
        ScenarioFactory(status="onboarded", team=other_team)  # so the form opens for them
        response = _client(other_product_owner).post("/releases/new/", self._data(scenario))
        assert response.status_code == 200
        assert "scenario" in response.context["form"].errors
        assert not Release.objects.exists()

    def test_not_for_a_scenario_still_in_review(
        self, scenario: Any, author: Any, product_team: Any
    ) -> None:
        ScenarioFactory(status="approved", team=product_team)  # so the form opens
        type(scenario).objects.filter(pk=scenario.pk).update(status="in_review")
        response = _client(author).post("/releases/new/", self._data(scenario))
        assert "scenario" in response.context["form"].errors

    def test_no_form_for_a_team_without_a_live_scenario(
        self, scenario: Any, author: Any, other_product_owner: Any
    ) -> None:
        """Who may draft is `policies.can_create` for some scenario: the page refuses the rest."""
        type(scenario).objects.filter(pk=scenario.pk).update(status="in_review")
        for user in (author, other_product_owner):
            assert _client(user).post("/releases/new/", self._data(scenario)).status_code == 403
        assert not Release.objects.exists()

    def test_edit_a_draft(self, make_release: Any, author: Any) -> None:
        release = make_release()
        response = _client(author).post(
            f"/releases/{release.pk}/edit/", self._data(title="Renamed")
        )
        assert response.status_code == 302
        release.refresh_from_db()
        assert release.title == "Renamed"

    def test_edit_refused_once_submitted(self, make_release: Any, author: Any) -> None:
        release = make_release("submitted")
        assert _client(author).get(f"/releases/{release.pk}/edit/").status_code == 403

    def test_form_has_no_status_field(self, scenario: Any, author: Any) -> None:
        form = _client(author).get("/releases/new/").context["form"]
        assert "status" not in form.fields and "author" not in form.fields


class TestTransitions:
    def test_submit_then_sign_off_pair(
        self, make_release: Any, author: Any, quality_owner: Any, cost_owner: Any
    ) -> None:
        release = make_release()
        response = _client(author).post(f"/releases/{release.pk}/submit/", follow=True)
        assert "Submitted" in _messages(response)[0]
        _client(quality_owner).post(
            f"/releases/{release.pk}/sign-off/quality/", {"decision": "approve"}
        )
        _client(cost_owner).post(f"/releases/{release.pk}/sign-off/cost/", {"decision": "approve"})
        release.refresh_from_db()
        assert release.status == "approved"

    def test_double_clicked_approve_records_one_signoff(
        self, make_release: Any, quality_owner: Any
    ) -> None:
        release = make_release("submitted")
        client = _client(quality_owner)
        url = f"/releases/{release.pk}/sign-off/quality/"
        client.post(url, {"decision": "approve"})
        response = client.post(url, {"decision": "approve"}, follow=True)
        assert SignOff.objects.filter(release=release).count() == 1
        assert "already been given" in _messages(response)[-1]

    def test_sign_off_by_the_wrong_owner_is_403(
        self, make_release: Any, cost_owner: Any, quality_owner: Any
    ) -> None:
        release = make_release("submitted")
        url = f"/releases/{release.pk}/sign-off/quality/"
        assert _client(cost_owner).post(url, {"decision": "approve"}).status_code == 403
        url = f"/releases/{release.pk}/sign-off/cost/"
        assert _client(quality_owner).post(url, {"decision": "approve"}).status_code == 403

    def test_reject_without_reason_is_refused_with_a_message(
        self, make_release: Any, quality_owner: Any
    ) -> None:
        release = make_release("submitted")
        response = _client(quality_owner).post(
            f"/releases/{release.pk}/sign-off/quality/", {"decision": "reject"}, follow=True
        )
        assert "reason" in _messages(response)[0]
        assert Release.objects.get(pk=release.pk).status == "submitted"

    def test_wrong_method_is_405(self, make_release: Any, author: Any) -> None:
        release = make_release()
        assert _client(author).get(f"/releases/{release.pk}/submit/").status_code == 405

    def test_wrong_state_gives_a_message(self, make_release: Any, author: Any) -> None:
        release = make_release("approved")
        response = _client(author).post(f"/releases/{release.pk}/submit/", follow=True)
        assert "“Submit for sign-off” is not available" in _messages(response)[0]

    def test_release_and_rollback(
        self, make_release: Any, platform_owner: Any, incident_owner: Any
    ) -> None:
        first = make_release("rolling_out")
        second = make_release("rolling_out")
        client = _client(platform_owner)
        client.post(f"/releases/{first.pk}/release/")
        client.post(f"/releases/{second.pk}/release/")
        response = _client(incident_owner).post(
            f"/releases/{second.pk}/rollback/", {"comment": "Bad answers"}, follow=True
        )
        assert "Rolled back" in _messages(response)[0]
        assert ModelAlias.objects.get().current_release == first

    def test_rollback_without_reason_is_refused(
        self, make_release: Any, platform_owner: Any
    ) -> None:
        release = make_release("released")
        response = _client(platform_owner).post(f"/releases/{release.pk}/rollback/", follow=True)
        assert "why" in _messages(response)[0].lower()

    def test_unknown_signoff_kind_is_404(self, make_release: Any, quality_owner: Any) -> None:
        release = make_release("submitted")
        url = f"/releases/{release.pk}/sign-off/vibes/"
        assert _client(quality_owner).post(url, {"decision": "approve"}).status_code == 404


class TestAliasPages:
    def test_alias_page_shows_history(
        self, make_release: Any, platform_owner: Any, outsider: Any
    ) -> None:
        from releases import services

        first = make_release("rolling_out", title="First")
        services.release_release(first.pk, actor=platform_owner)
        second = make_release("rolling_out", title="Second")
        services.release_release(second.pk, actor=platform_owner)
        alias = ModelAlias.objects.get()

        body = _client(outsider).get(alias.get_absolute_url()).content.decode()

        assert "First" in body and "Second" in body and "now" in body
        assert alias.name in _client(outsider).get("/releases/aliases/").content.decode()
