"""The amendments API: happy path, who may, wrong state 409, bad input 400, diff and history."""

from __future__ import annotations

from typing import Any

import pytest

from scenarios.models import Amendment
from tests.scenarios.amendment_fixtures import (
    AMENDMENT_ALLOWED,
    AMENDMENT_SOURCES,
    AMENDMENT_TARGETS,
)
from tests.scenarios.scenario_fixtures import PERSONAS

pytestmark = pytest.mark.django_db

SLUGS = {
    "submit": "submit",
    "approve": "approve",
    "request_changes": "request-changes",
    "reject": "reject",
    "withdraw": "withdraw",
}


def _client(api_client: Any, user: Any) -> Any:
    if getattr(user, "is_authenticated", False):
        api_client.force_authenticate(user)
    return api_client


def test_from_request_to_applied(
    api_client: Any,
    make_scenario: Any,
    product_owner: Any,
    platform_reviewer: Any,
    new_cost_owner: Any,
    cost_owner: Any,
) -> None:
    scenario = make_scenario("onboarded")
    client = _client(api_client, product_owner)
    created = client.post(
        "/api/v1/amendments/",
        {
            "scenario": scenario.pk,
            "kind": "hand_over",
            "summary": "New cost owner",
            "values": {"cost_owner": new_cost_owner.pk},
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and body["kind"] == "hand_over"
    assert body["changes"] == [
        {
            "field": "cost_owner",
            "label": "Cost owner",
            "before": str(cost_owner),
            "after": str(new_cost_owner),
        }
    ]
    pk = body["id"]
    again = client.post(
        "/api/v1/amendments/",
        {"scenario": scenario.pk, "summary": "Another", "values": {"monthly_budget": "1"}},
        format="json",
    )
    assert again.status_code == 409 and again.json()["code"] == "amendment_open"
    edited = client.patch(
        f"/api/v1/amendments/{pk}/", {"values": {"monthly_budget": "6000"}}, format="json"
    )
    assert edited.status_code == 200
    assert {c["field"] for c in edited.json()["changes"]} == {"cost_owner", "monthly_budget"}
    assert client.post(f"/api/v1/amendments/{pk}/submit/", {}, format="json").status_code == 200
    diff = client.get(f"/api/v1/amendments/{pk}/diff/").json()
    assert [row["field"] for row in diff] == ["monthly_budget", "cost_owner"]

    reviewer = _client(api_client, platform_reviewer)
    approved = reviewer.post(f"/api/v1/amendments/{pk}/approve/", {"comment": "ok"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "applied"
    scenario.refresh_from_db()
    assert scenario.cost_owner == new_cost_owner
    history = reviewer.get(f"/api/v1/amendments/{pk}/history/").json()["results"]
    assert [row["transition"] for row in history] == ["create", "submit", "approve", "apply"]
    assert reviewer.post(f"/api/v1/amendments/{pk}/approve/", {}, format="json").status_code == 409
    listed = reviewer.get("/api/v1/amendments/", {"status": "applied"}).json()
    assert [row["id"] for row in listed["results"]] == [pk]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("transition", list(AMENDMENT_SOURCES))
def test_transition_permission_matrix(
    transition: str, persona: str, people: dict[str, Any], make_amendment: Any, api_client: Any
) -> None:
    state = sorted(AMENDMENT_SOURCES[transition])[0]
    amendment = make_amendment(state)
    client = _client(api_client, people[persona])
    response = client.post(
        f"/api/v1/amendments/{amendment.pk}/{SLUGS[transition]}/",
        {"comment": "Checked."},
        format="json",
    )
    amendment.refresh_from_db()
    if persona == "anonymous":
        assert response.status_code == 401
    elif persona in AMENDMENT_ALLOWED[transition]:
        assert response.status_code == 200, response.json()
        assert amendment.status == AMENDMENT_TARGETS[transition]
    else:
        assert response.status_code == 403
        assert amendment.status == state


def test_wrong_state_is_409(api_client: Any, make_amendment: Any, platform_reviewer: Any) -> None:
    amendment = make_amendment("draft")
    client = _client(api_client, platform_reviewer)
    response = client.post(f"/api/v1/amendments/{amendment.pk}/approve/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_state"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "Renamed"}, "name"),
        ({"description": "minor"}, "description"),
        ({"eval_threshold": "150"}, "eval_threshold"),
        ({"cost_owner": 999999}, "cost_owner"),
        ({"primary_route": "teleport"}, "primary_route"),
        ({"discovery": [{"model": "x"}]}, "discovery"),
    ],
)
def test_bad_input_is_400(
    api_client: Any,
    make_amendment: Any,
    product_owner: Any,
    new_cost_owner: Any,
    values: Any,
    field: str,
) -> None:
    amendment = make_amendment("draft")
    client = _client(api_client, product_owner)
    response = client.patch(
        f"/api/v1/amendments/{amendment.pk}/", {"values": values}, format="json"
    )
    assert response.status_code == 400, response.json()
    assert field in str(response.json()["errors"])
    amendment.refresh_from_db()
    assert amendment.proposed == {"cost_owner": new_cost_owner.pk}


def test_submit_names_each_missing_item(
    api_client: Any, make_scenario: Any, product_owner: Any
) -> None:
    scenario = make_scenario("onboarded")
    client = _client(api_client, product_owner)
    pk = client.post(
        "/api/v1/amendments/",
        {
            "scenario": scenario.pk,
            "summary": "Drop the criterion",
            "values": {"success_criterion": ""},
        },
        format="json",
    ).json()["id"]
    response = client.post(f"/api/v1/amendments/{pk}/submit/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["success_criterion"] == ["Success criterion is missing."]


def test_a_draft_scenario_cannot_be_amended(
    api_client: Any, make_scenario: Any, product_owner: Any
) -> None:
    scenario = make_scenario("draft")
    client = _client(api_client, product_owner)
    response = client.post(
        "/api/v1/amendments/", {"scenario": scenario.pk, "summary": "x"}, format="json"
    )
    assert response.status_code == 400 and "scenario" in response.json()["errors"]


def test_migration_side_is_refused_in_the_api(
    api_client: Any, make_scenario: Any, product_owner: Any
) -> None:
    scenario = make_scenario("onboarded")
    client = _client(api_client, product_owner)
    created = client.post(
        "/api/v1/amendments/",
        {"scenario": scenario.pk, "kind": "migration", "summary": "Move to vLLM"},
        format="json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert "capacity_plan" in created.json()["missing"]
    response = client.patch(
        f"/api/v1/amendments/{pk}/", {"values": {"capacity_plan": "mine"}}, format="json"
    )
    assert response.status_code == 403
    assert Amendment.objects.get(pk=pk).proposed == {"hosting": "self_hosted"}


def test_anonymous_reads_nothing(api_client: Any, make_amendment: Any) -> None:
    amendment = make_amendment("submitted")
    assert api_client.get("/api/v1/amendments/").status_code == 401
    assert api_client.get(f"/api/v1/amendments/{amendment.pk}/").status_code == 401
    assert api_client.get(f"/api/v1/amendments/{amendment.pk}/diff/").status_code == 401


def test_minor_edit(api_client: Any, make_scenario: Any, product_owner: Any, outsider: Any) -> None:
    scenario = make_scenario("onboarded")
    url = f"/api/v1/scenarios/{scenario.pk}/minor/"
    assert (
        _client(api_client, outsider).patch(url, {"description": "x"}, format="json").status_code
        == 403
    )
    client = _client(api_client, product_owner)
    response = client.patch(url, {"description": "Now also in French"}, format="json")
    assert response.status_code == 200 and response.json()["description"] == "Now also in French"
    refused = client.patch(url, {"cost_owner": None}, format="json")
    assert refused.status_code == 400 and "cost_owner" in refused.json()["errors"]


@pytest.mark.parametrize("size", [2, 12])
def test_list_queries_do_not_grow(
    size: int, api_client: Any, make_amendment: Any, outsider: Any, django_assert_num_queries: Any
) -> None:
    for _ in range(size):
        make_amendment("applied")
    client = _client(api_client, outsider)
    client.get("/api/v1/amendments/")
    with django_assert_num_queries(2):
        response = client.get("/api/v1/amendments/")
    assert response.status_code == 200 and response.json()["count"] == size
