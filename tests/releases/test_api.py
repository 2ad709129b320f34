"""The releases API: drafts CRUD, one POST per transition, sign-offs, aliases, errors."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from releases import services
from releases.models import ModelAlias, Release, SignOff

pytestmark = pytest.mark.django_db

DRAFT = {
    "title": "Cheaper model",
    "change_type": "model",
    "model_name": "small-model",
    "model_version": "2026-02",
    "alias_name": "support-chat",
    "eval_score": "91.5",
    "cost_per_request": "0.001",
    "accepted_outcome_rate": "80",
}


def _api(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _url(release: Any, action: str = "") -> str:
    return f"/api/v1/releases/{release.pk}/" + (f"{action}/" if action else "")


class TestCrud:
    def test_create_a_draft(self, scenario: Any, author: Any) -> None:
        response = _api(author).post("/api/v1/releases/", {**DRAFT, "scenario": scenario.pk})
        assert response.status_code == 201, response.data
        body = response.json()
        assert (body["status"], body["revision"], body["author"]["id"]) == ("draft", 1, author.pk)
        assert body["cost"]["cost_per_outcome"] == "0.001250"
        assert body["eval_gate"]["outcome"] == "passed"

    def test_create_refuses_status(self, scenario: Any, author: Any) -> None:
        response = _api(author).post(
            "/api/v1/releases/", {**DRAFT, "scenario": scenario.pk, "status": "released"}
        )
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["status"]
        assert not Release.objects.filter(scenario=scenario).exists()

    def test_create_for_another_team_is_403(self, scenario: Any, other_product_owner: Any) -> None:
        response = _api(other_product_owner).post(
            "/api/v1/releases/", {**DRAFT, "scenario": scenario.pk}
        )
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"

    def test_create_with_invalid_score_is_400(self, scenario: Any, author: Any) -> None:
        response = _api(author).post(
            "/api/v1/releases/", {**DRAFT, "scenario": scenario.pk, "eval_score": "120"}
        )
        assert response.status_code == 400
        assert "eval_score" in response.json()["errors"]

    def test_anonymous_is_401(self) -> None:
        assert _api().get("/api/v1/releases/").status_code == 401

    def test_update_a_draft_and_not_a_submitted_one(self, make_release: Any, author: Any) -> None:
        draft = make_release()
        response = _api(author).patch(_url(draft), {"title": "Renamed"})
        assert (response.status_code, response.json()["title"]) == (200, "Renamed")
        submitted = make_release("submitted")
        assert _api(author).patch(_url(submitted), {"title": "x"}).status_code == 409

    def test_delete_a_fresh_draft_only(self, make_release: Any, author: Any) -> None:
        draft = make_release()
        assert _api(author).delete(_url(draft)).status_code == 204
        revised = make_release(revision=2)
        assert _api(author).delete(_url(revised)).status_code == 409

    def test_other_teams_cannot_see_drafts(
        self, make_release: Any, other_product_owner: Any, platform_reviewer: Any
    ) -> None:
        draft = make_release()
        make_release("submitted")
        assert _api(other_product_owner).get(_url(draft)).status_code == 404
        listed = _api(other_product_owner).get("/api/v1/releases/").json()["results"]
        assert [r["status"] for r in listed] == ["submitted"]
        assert _api(platform_reviewer).get(_url(draft)).status_code == 200

    def test_filters(self, make_release: Any, quality_owner: Any, scenario: Any) -> None:
        waiting = make_release("submitted")
        make_release("released")
        api = _api(quality_owner)
        assert [r["id"] for r in api.get("/api/v1/releases/?awaiting=true").json()["results"]] == [
            waiting.pk
        ]
        released = api.get("/api/v1/releases/?status=released").json()["results"]
        assert [r["status"] for r in released] == ["released"]
        assert api.get(f"/api/v1/releases/?scenario={scenario.pk}").json()["count"] == 2


class TestTransitions:
    def test_full_lifecycle(
        self,
        make_release: Any,
        author: Any,
        quality_owner: Any,
        cost_owner: Any,
        product_owner: Any,
        platform_owner: Any,
    ) -> None:
        release = make_release()
        assert _api(author).post(_url(release, "submit")).json()["status"] == "submitted"
        for actor, kind in ((quality_owner, "quality"), (cost_owner, "cost")):
            response = _api(actor).post(
                _url(release, "sign-off"), {"kind": kind, "decision": "approve"}
            )
            assert response.status_code == 200, response.data
        assert response.json()["status"] == "approved"
        assert response.json()["missing_rollout_signoffs"] == [
            "product_rollout",
            "platform_rollout",
        ]
        for actor, kind in (
            (product_owner, "product_rollout"),
            (platform_owner, "platform_rollout"),
        ):
            _api(actor).post(_url(release, "sign-off"), {"kind": kind, "decision": "approve"})
        assert _api(platform_owner).post(_url(release, "start-rollout")).json()["status"] == (
            "rolling_out"
        )
        body = _api(platform_owner).post(_url(release, "release")).json()
        assert body["status"] == "released"
        assert len(body["signoffs"]) == 4

    def test_double_approve_is_409_and_one_signoff(
        self, make_release: Any, quality_owner: Any
    ) -> None:
        release = make_release("submitted")
        payload = {"kind": "quality", "decision": "approve"}
        assert _api(quality_owner).post(_url(release, "sign-off"), payload).status_code == 200
        second = _api(quality_owner).post(_url(release, "sign-off"), payload)
        assert (second.status_code, second.json()["code"]) == (409, "already_signed")
        assert SignOff.objects.count() == 1

    def test_eval_gate_refusal_is_409(self, make_release: Any, quality_owner: Any) -> None:
        release = make_release("submitted", eval_score=None)
        response = _api(quality_owner).post(
            _url(release, "sign-off"), {"kind": "quality", "decision": "approve"}
        )
        assert (response.status_code, response.json()["code"]) == (409, "eval_gate")

    def test_cost_over_budget_without_comment_is_400(
        self, make_release: Any, cost_owner: Any
    ) -> None:
        release = make_release("submitted", cost_per_request="1")
        response = _api(cost_owner).post(
            _url(release, "sign-off"), {"kind": "cost", "decision": "approve"}
        )
        assert response.status_code == 400
        assert "comment" in response.json()["errors"]

    def test_wrong_owner_is_403(self, make_release: Any, cost_owner: Any) -> None:
        release = make_release("submitted")
        response = _api(cost_owner).post(
            _url(release, "sign-off"), {"kind": "quality", "decision": "approve"}
        )
        assert response.status_code == 403

    def test_bad_kind_is_400(self, make_release: Any, quality_owner: Any) -> None:
        release = make_release("submitted")
        response = _api(quality_owner).post(
            _url(release, "sign-off"), {"kind": "vibes", "decision": "approve"}
        )
        assert response.status_code == 400

    def test_admin_delegate_signoff(self, make_release: Any, admin_user: Any) -> None:
        release = make_release("submitted")
        response = _api(admin_user).post(
            _url(release, "sign-off"),
            {"kind": "cost", "decision": "approve", "as_delegate": True},
        )
        signoff = response.json()["signoffs"][0]
        assert (signoff["as_delegate"], signoff["actor"]["id"]) == (True, admin_user.pk)

    def test_reject_and_revise(self, make_release: Any, quality_owner: Any, author: Any) -> None:
        release = make_release("submitted")
        response = _api(quality_owner).post(
            _url(release, "sign-off"),
            {"kind": "quality", "decision": "reject", "comment": "Regressed on refunds."},
        )
        assert response.json()["status"] == "rejected"
        body = _api(author).post(_url(release, "revise"), {"comment": "Fixing"}).json()
        assert (body["status"], body["revision"]) == ("draft", 2)
        assert body["signoffs"][0]["counts"] is False

    def test_rollback_with_and_without_previous(
        self, make_release: Any, platform_owner: Any
    ) -> None:
        first = make_release("rolling_out")
        services.release_release(first.pk, actor=platform_owner)
        api = _api(platform_owner)
        nothing = api.post(_url(first, "rollback"), {"reason": "x"})
        assert (nothing.status_code, nothing.json()["code"]) == (409, "no_previous_release")
        assert api.post(_url(first, "rollback"), {}).status_code == 400
        second = make_release("rolling_out")
        api.post(_url(second, "release"))
        assert api.post(_url(second, "rollback"), {"reason": "Bad"}).json()["status"] == (
            "rolled_back"
        )

    def test_wrong_method_is_405(self, make_release: Any, author: Any) -> None:
        assert _api(author).get(_url(make_release(), "submit")).status_code == 405

    def test_wrong_state_is_409(self, make_release: Any, platform_owner: Any) -> None:
        release = make_release("approved")
        response = _api(platform_owner).post(_url(release, "release"))
        assert (response.status_code, response.json()["code"]) == (409, "invalid_state")

    def test_missing_release_is_404(self, author: Any) -> None:
        assert _api(author).post("/api/v1/releases/999999/submit/").status_code == 404


class TestAliases:
    def test_alias_with_history(
        self, make_release: Any, platform_owner: Any, outsider: Any
    ) -> None:
        first = make_release("rolling_out")
        services.release_release(first.pk, actor=platform_owner)
        second = make_release("rolling_out")
        services.release_release(second.pk, actor=platform_owner)
        services.release_rollback(second.pk, actor=platform_owner, reason="Regressed")
        alias = ModelAlias.objects.get()

        listed = _api(outsider).get("/api/v1/model-aliases/").json()["results"]
        assert [(a["name"], a["current_release"]) for a in listed] == [(alias.name, first.pk)]
        history = _api(outsider).get(f"/api/v1/model-aliases/{alias.pk}/").json()["history"]
        assert [h["release"] for h in history] == [first.pk, second.pk, first.pk]
        assert history[0]["reason"].endswith("Regressed")
        assert history[0]["ended_at"] is None

    def test_aliases_cannot_be_written(self, platform_owner: Any) -> None:
        response = _api(platform_owner).post("/api/v1/model-aliases/", {"name": "x"})
        assert response.status_code == 405


def test_schema_documents_release_errors(admin_user: Any) -> None:
    schema = _api(admin_user).get("/api/schema/?format=json").json()
    sign_off = schema["paths"]["/api/v1/releases/{id}/sign-off/"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(sign_off)
    assert "/api/v1/model-aliases/{id}/" in schema["paths"]
    assert Release.Status.ROLLED_BACK in str(schema["components"]["schemas"]["ReleaseStatusEnum"])
