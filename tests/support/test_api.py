"""The support requests API: CRUD, one POST per action, errors as JSON."""

from __future__ import annotations

from typing import Any

import pytest

from support.models import SupportRequest
from tests.scenarios.factories import ScenarioFactory
from tests.support.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/support-requests/"


@pytest.fixture
def created(api_client: Any, product_owner: Any, product_team: Any) -> dict[str, Any]:
    scenario = ScenarioFactory(status="onboarded", team=product_team)
    api_client.force_authenticate(product_owner)
    response = api_client.post(
        BASE,
        {"title": "Budget", "description": "Over budget?", "category": "cost",
         "scenario": scenario.pk},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    return response.json()


def test_create_and_read(api_client: Any, created: dict[str, Any], product_team: Any) -> None:
    assert created["status"] == "open"
    assert created["team"] == product_team.slug
    assert created["comments"] == []
    assert created["time_to_first_answer_seconds"] is None
    listing = api_client.get(f"{BASE}?mine=1").json()
    assert [r["id"] for r in listing["results"]] == [created["id"]]
    assert api_client.get(f"{BASE}{created['id']}/").json()["title"] == "Budget"


def test_status_cannot_be_written(api_client: Any, created: dict[str, Any]) -> None:
    response = api_client.patch(
        f"{BASE}{created['id']}/", {"status": "closed", "title": "Budget check"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["status"]
    detail = api_client.get(f"{BASE}{created['id']}/").json()
    assert (detail["status"], detail["title"]) == ("open", created["title"])


def test_invalid_input_is_400(api_client: Any, product_owner: Any) -> None:
    api_client.force_authenticate(product_owner)
    response = api_client.post(BASE, {"title": "x", "category": "nope"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {"category", "description"}


def test_actions_with_roles_and_states(
    api_client: Any, created: dict[str, Any], platform_reviewer: Any, product_owner: Any
) -> None:
    url = f"{BASE}{created['id']}/"
    forbidden = api_client.post(f"{url}answer/", {"body": "self-answer"}, format="json")
    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "permission_denied"
    assert api_client.post(f"{url}reopen/", {}, format="json").status_code == 409
    api_client.force_authenticate(platform_reviewer)
    answered = api_client.post(f"{url}answer/", {"body": "Yes, by 10%."}, format="json")
    assert answered.status_code == 200
    body = answered.json()
    assert body["status"] == "answered"
    assert body["first_answered_by"] == str(platform_reviewer)
    assert body["comments"][0]["is_answer"] is True
    again = api_client.post(f"{url}answer/", {"body": "Again"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_state"
    assert api_client.post(f"{url}close/", {}, format="json").json()["status"] == "closed"
    assert api_client.post(f"{url}close/", {}, format="json").status_code == 409
    api_client.force_authenticate(product_owner)
    assert api_client.patch(url, {"title": "late"}, format="json").status_code == 403
    assert api_client.delete(url).status_code == 403
    reopened = api_client.post(f"{url}reopen/", {"comment": "Still over."}, format="json")
    assert reopened.json()["status"] == "open"
    comment = api_client.post(f"{url}comments/", {"body": "Numbers attached."}, format="json")
    assert comment.status_code == 201
    assert api_client.get(f"{url}answer/").status_code == 405


def test_queue_and_filters(api_client: Any, platform_reviewer: Any, product_team: Any) -> None:
    first = SupportRequestFactory(team=product_team)
    SupportRequestFactory(status="answered", category="cost")
    api_client.force_authenticate(platform_reviewer)
    queue = api_client.get(f"{BASE}?queue=1").json()["results"]
    assert [r["id"] for r in queue] == [first.pk]
    by_category = api_client.get(f"{BASE}?category=cost").json()["results"]
    assert [r["category"] for r in by_category] == ["cost"]
    by_team = api_client.get(f"{BASE}?team={product_team.slug}").json()["results"]
    assert [r["id"] for r in by_team] == [first.pk]


def test_withdraw_and_anonymous(api_client: Any, created: dict[str, Any]) -> None:
    assert api_client.delete(f"{BASE}{created['id']}/").status_code == 204
    assert not SupportRequest.objects.filter(pk=created["id"]).exists()
    assert api_client.get(f"{BASE}{created['id']}/").status_code == 404
    api_client.force_authenticate(None)
    assert api_client.get(BASE).status_code == 401
    assert api_client.post(BASE, {}, format="json").status_code == 401


def test_other_teams_drafts_cannot_be_named(
    api_client: Any, outsider: Any, product_team: Any
) -> None:
    draft = ScenarioFactory(status="draft", team=product_team)
    api_client.force_authenticate(outsider)
    response = api_client.post(
        BASE,
        {"title": "t", "description": "d", "category": "other", "scenario": draft.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "scenario" in response.json()["errors"]
