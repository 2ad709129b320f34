"""The scenarios API: the permission matrix, input errors, state conflicts, filters and the record."""

from __future__ import annotations

from typing import Any

import pytest

from portal.core.models import AuditEntry
from scenarios.models import Scenario, Tool
from tests.factories import UserFactory
from tests.scenarios.factories import ToolFactory
from tests.scenarios.scenario_fixtures import ALLOWED, PERSONAS, SOURCES, TARGETS

pytestmark = pytest.mark.django_db

SLUGS = {
    "submit": "submit",
    "start_review": "start-review",
    "approve": "approve",
    "request_changes": "request-changes",
    "reject": "reject",
    "onboard": "onboard",
    "retire": "retire",
}
CHECKLIST = [
    {"item": key, "passed": True, "note": ""}
    for key in ("owners", "policy_owners", "quality_cost", "incident_rollback", "self_hosted")
]


def _client(api_client: Any, user: Any) -> Any:
    if getattr(user, "is_authenticated", False):
        api_client.force_authenticate(user)
    return api_client


def _body(transition: str) -> dict[str, Any]:
    if transition in ("approve", "request_changes", "reject"):
        return {"comment": "Checked.", "checklist": CHECKLIST}
    return {"comment": ""}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("transition", list(SOURCES))
def test_transition_permission_matrix(
    transition: str, persona: str, people: dict[str, Any], make_scenario: Any, api_client: Any
) -> None:
    state = sorted(SOURCES[transition])[0]
    scenario = make_scenario(state)
    client = _client(api_client, people[persona])
    url = f"/api/v1/scenarios/{scenario.pk}/{SLUGS[transition]}/"
    response = client.post(url, _body(transition), format="json")
    scenario.refresh_from_db()
    if persona in ALLOWED[transition]:
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == TARGETS[transition] == scenario.status
        return
    if persona == "anonymous":
        expected = 401
    elif state == "draft" and persona in ("other_po", "outsider"):
        expected = 404  # a draft is invisible outside its team and the platform
    else:
        expected = 403
    assert response.status_code == expected, response.json()
    assert set(response.json()) >= {"detail", "code"}
    assert scenario.status == state


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("team_po", 201),
        ("submitter", 201),
        ("reviewer", 201),
        ("other_po", 403),
        ("admin", 403),
        ("outsider", 403),
        ("anonymous", 401),
    ],
)
def test_create_permission(
    persona: str, expected: int, people: dict[str, Any], product_team: Any, api_client: Any
) -> None:
    client = _client(api_client, people[persona])
    response = client.post(
        "/api/v1/scenarios/", {"team": product_team.slug, "name": "New"}, format="json"
    )
    assert response.status_code == expected
    assert Scenario.objects.count() == (1 if expected == 201 else 0)
    if expected == 201:
        assert response.json()["status"] == "draft"


@pytest.mark.parametrize(
    ("persona", "draft", "changes_requested", "submitted"),
    [
        ("team_po", 200, 200, 409),
        ("submitter", 200, 200, 409),
        ("reviewer", 200, 200, 409),
        ("platform_owner", 200, 200, 409),
        ("other_po", 404, 403, 403),
        ("admin", 403, 403, 403),
        ("outsider", 404, 403, 403),
        ("anonymous", 401, 401, 401),
    ],
)
def test_update_permission(
    persona: str,
    draft: int,
    changes_requested: int,
    submitted: int,
    people: dict[str, Any],
    make_scenario: Any,
    api_client: Any,
) -> None:
    client = _client(api_client, people[persona])
    for state, expected in (
        ("draft", draft),
        ("changes_requested", changes_requested),
        ("submitted", submitted),
    ):
        scenario = make_scenario(state, name="Before")
        response = client.patch(
            f"/api/v1/scenarios/{scenario.pk}/", {"name": "After"}, format="json"
        )
        assert response.status_code == expected, (state, response.json())
        scenario.refresh_from_db()
        assert scenario.name == ("After" if expected == 200 else "Before")


@pytest.mark.parametrize(
    ("persona", "draft_visible"),
    [
        ("team_po", True),
        ("reviewer", True),
        ("admin", True),
        ("other_po", False),
        ("outsider", False),
    ],
)
def test_read_visibility(
    persona: str, draft_visible: bool, people: dict[str, Any], make_scenario: Any, api_client: Any
) -> None:
    draft, submitted = make_scenario("draft"), make_scenario("submitted")
    client = _client(api_client, people[persona])
    ids = {row["id"] for row in client.get("/api/v1/scenarios/").json()["results"]}
    assert ids == ({draft.pk, submitted.pk} if draft_visible else {submitted.pk})
    for suffix in ("", "decision-record/", "decision-record/markdown/"):
        response = client.get(f"/api/v1/scenarios/{draft.pk}/{suffix}")
        assert response.status_code == (200 if draft_visible else 404)
    assert client.get(f"/api/v1/scenarios/{submitted.pk}/").status_code == 200


def test_anonymous_reads_nothing(api_client: Any, make_scenario: Any) -> None:
    scenario = make_scenario("onboarded")
    assert api_client.get("/api/v1/scenarios/").status_code == 401
    assert api_client.get(f"/api/v1/scenarios/{scenario.pk}/").status_code == 401
    assert api_client.get("/api/v1/tools/").status_code == 401


# Input errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({}, "name"),
        ({"name": "X", "monthly_budget": "-10"}, "monthly_budget"),
        ({"name": "X", "target_cost_per_outcome": "-1"}, "target_cost_per_outcome"),
        ({"name": "X", "eval_threshold": "101"}, "eval_threshold"),
        ({"name": "X", "eval_threshold": "-0.5"}, "eval_threshold"),
        ({"name": "X", "allowed_tools": [999999]}, "allowed_tools"),
        ({"name": "X", "status": "approved", "hosting": "moon"}, "hosting"),
    ],
)
def test_invalid_create_gives_field_errors_and_saves_nothing(
    payload: dict[str, Any], field: str, product_owner: Any, product_team: Any, api_client: Any
) -> None:
    api_client.force_authenticate(product_owner)
    response = api_client.post(
        "/api/v1/scenarios/", {"team": product_team.slug, **payload}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body["errors"]
    assert not Scenario.objects.exists()


def test_disallowed_tool_and_duplicate_escalation_are_field_errors(
    product_owner: Any, product_team: Any, platform_owner: Any, api_client: Any
) -> None:
    banned = ToolFactory(name="shell", allowed=False)
    api_client.force_authenticate(product_owner)
    response = api_client.post(
        "/api/v1/scenarios/",
        {
            "team": product_team.slug,
            "name": "X",
            "allowed_tools": [banned.pk],
            "escalation_path": [platform_owner.pk, platform_owner.pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert {"allowed_tools", "escalation_path"} <= set(response.json()["errors"])
    assert not Scenario.objects.exists()


def test_status_is_never_written_by_the_api(
    make_scenario: Any, product_owner: Any, api_client: Any
) -> None:
    scenario = make_scenario("draft")
    api_client.force_authenticate(product_owner)
    response = api_client.patch(
        f"/api/v1/scenarios/{scenario.pk}/", {"status": "approved"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["status"]
    scenario.refresh_from_db()
    assert scenario.status == "draft"


def test_incomplete_submit_names_every_missing_item(
    product_owner: Any, product_team: Any, api_client: Any
) -> None:
    api_client.force_authenticate(product_owner)
    created = api_client.post(
        "/api/v1/scenarios/",
        {"team": product_team.slug, "name": "Half", "hosting": "self_hosted"},
        format="json",
    ).json()
    assert "quality_owner" in created["missing_for_submission"]
    response = api_client.post(f"/api/v1/scenarios/{created['id']}/submit/", {}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    for field in ("quality_owner", "escalation_path", "capacity_plan", "owned_slo", "eval_dataset"):
        assert field in errors
    assert Scenario.objects.get().status == "draft"
    assert not AuditEntry.objects.filter(transition="submit").exists()


def test_decision_needs_comment_and_full_checklist(
    make_scenario: Any, platform_reviewer: Any, api_client: Any
) -> None:
    scenario = make_scenario("in_review")
    api_client.force_authenticate(platform_reviewer)
    url = f"/api/v1/scenarios/{scenario.pk}/approve/"
    response = api_client.post(url, {"comment": "", "checklist": CHECKLIST[:2]}, format="json")
    assert response.status_code == 400
    assert "comment" in response.json()["errors"]
    response = api_client.post(url, {"comment": "ok", "checklist": CHECKLIST[:2]}, format="json")
    assert response.status_code == 400 and "checklist" in response.json()["errors"]
    scenario.refresh_from_db()
    assert scenario.status == "in_review"


# States and methods ------------------------------------------------------------------------


def test_wrong_state_is_409_and_repeating_is_harmless(
    make_scenario: Any, platform_reviewer: Any, api_client: Any
) -> None:
    scenario = make_scenario("submitted")
    api_client.force_authenticate(platform_reviewer)
    url = f"/api/v1/scenarios/{scenario.pk}/start-review/"
    assert api_client.post(url, {}, format="json").status_code == 200
    second = api_client.post(url, {}, format="json")
    assert second.status_code == 409 and second.json()["code"] == "invalid_state"
    assert AuditEntry.objects.filter(object_id=str(scenario.pk)).count() == 1
    onboard = api_client.post(f"/api/v1/scenarios/{scenario.pk}/onboard/", {}, format="json")
    assert onboard.status_code == 409


def test_actions_are_post_only(make_scenario: Any, product_owner: Any, api_client: Any) -> None:
    scenario = make_scenario("draft")
    api_client.force_authenticate(product_owner)
    assert api_client.get(f"/api/v1/scenarios/{scenario.pk}/submit/").status_code == 405
    assert api_client.delete(f"/api/v1/scenarios/{scenario.pk}/").status_code == 405


def test_full_lifecycle_over_the_api(
    product_owner: Any,
    product_team: Any,
    platform_owner: Any,
    platform_reviewer: Any,
    quality_owner: Any,
    cost_owner: Any,
    incident_owner: Any,
    api_client: Any,
) -> None:
    tool = ToolFactory(name="kb-search")
    owners = {
        "product_owner": product_owner.pk,
        "platform_owner": platform_owner.pk,
        "quality_owner": quality_owner.pk,
        "route_owner": product_owner.pk,
        "context_owner": product_owner.pk,
        "prompt_owner": product_owner.pk,
        "tools_owner": platform_owner.pk,
        "cache_owner": platform_owner.pk,
        "cost_owner": cost_owner.pk,
        "incident_owner": incident_owner.pk,
    }
    contract = {
        "description": "Answers refund questions.",
        "expected_volume": 20000,
        "risk_level": "medium",
        "data_classification": "internal",
        "success_criterion": "80% accepted",
        "eval_dataset": "refunds-v1",
        "eval_threshold": "80",
        "primary_route": "rag",
        "human_review": "sampled",
        "fallback": "human",
        "context_budget_tokens": 8000,
        "prefix_stability": "stable",
        "cache_hit_slo": "50",
        "monthly_budget": "1000",
        "target_cost_per_outcome": "0.05",
        "hosting": "maas",
        "rollback_plan": "Alias back.",
    }
    api_client.force_authenticate(product_owner)
    created = api_client.post(
        "/api/v1/scenarios/",
        {"team": product_team.slug, "name": "Refunds", **owners, **contract,
         "allowed_tools": [tool.pk], "escalation_path": [platform_owner.pk, incident_owner.pk]},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["missing_for_submission"] == {}
    assert [s["person"]["id"] for s in created.json()["escalation_path"]] == [
        platform_owner.pk,
        incident_owner.pk,
    ]
    assert api_client.post(f"/api/v1/scenarios/{pk}/submit/").status_code == 200
    api_client.force_authenticate(platform_reviewer)
    started = api_client.post(f"/api/v1/scenarios/{pk}/start-review/")
    assert started.status_code == 200 and started.json()["review_started_at"] is not None
    approved = api_client.post(
        f"/api/v1/scenarios/{pk}/approve/",
        {"comment": "Good.", "checklist": CHECKLIST},
        format="json",
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["reviews"][0]["decision"] == "approve"
    record = api_client.get(f"/api/v1/scenarios/{pk}/decision-record/").json()
    assert [row["review"]["passed"] for row in record["checklist"]] == [True] * 5
    assert [e["transition"] for e in record["timeline"]] == [
        "create",
        "submit",
        "start_review",
        "approve",
    ]
    markdown = api_client.get(f"/api/v1/scenarios/{pk}/decision-record/markdown/")
    assert markdown["Content-Type"].startswith("text/markdown")
    assert b"# Decision record: Refunds" in markdown.content


# Lists --------------------------------------------------------------------------------------


def test_list_filters_search_and_pagination(
    make_scenario: Any,
    platform_reviewer: Any,
    other_team: Any,
    incident_owner: Any,
    api_client: Any,
) -> None:
    make_scenario("submitted", name="Refund answers", primary_route="rag")
    make_scenario("onboarded", name="Invoice agent", primary_route="agentic", hosting="self_hosted")
    someone = UserFactory(username="someone")
    make_scenario("draft", name="Ticket summaries", incident_owner=someone)
    api_client.force_authenticate(platform_reviewer)

    def names(query: str) -> set[str]:
        rows = api_client.get(f"/api/v1/scenarios/?{query}").json()["results"]
        return {row["name"] for row in rows}

    assert names("search=invoice") == {"Invoice agent"}
    assert names("status=submitted") == {"Refund answers"}
    assert names("route=agentic") == {"Invoice agent"}
    assert names("hosting=self_hosted") == {"Invoice agent"}
    assert names(f"owner={someone.pk}") == {"Ticket summaries"}
    assert names(f"team={other_team.slug}") == set()
    page = api_client.get("/api/v1/scenarios/?page_size=2").json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]


def test_tool_registry_api(platform_reviewer: Any, product_owner: Any, api_client: Any) -> None:
    api_client.force_authenticate(product_owner)
    denied = api_client.post("/api/v1/tools/", {"name": "crm"}, format="json")
    assert denied.status_code == 403
    api_client.force_authenticate(platform_reviewer)
    created = api_client.post(
        "/api/v1/tools/", {"name": "crm", "stability": "experimental"}, format="json"
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    patched = api_client.patch(f"/api/v1/tools/{pk}/", {"allowed": False}, format="json")
    assert patched.status_code == 200 and patched.json()["allowed"] is False
    duplicate = api_client.post("/api/v1/tools/", {"name": "crm"}, format="json")
    assert duplicate.status_code == 400 and "name" in duplicate.json()["errors"]
    assert Tool.objects.count() == 1
    assert api_client.get("/api/v1/tools/?allowed=false").json()["count"] == 1


def test_schema_documents_actions_and_errors(admin_user: Any, api_client: Any) -> None:
    api_client.force_authenticate(admin_user)
    schema = api_client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for slug in SLUGS.values():
        responses = paths[f"/api/v1/scenarios/{{id}}/{slug}/"]["post"]["responses"]
        assert {"200", "400", "403", "404", "409"} <= set(responses)
    assert "/api/v1/scenarios/{id}/decision-record/markdown/" in paths
    assert "/api/v1/tools/" in paths
