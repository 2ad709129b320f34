"""GET /api/v1/users/, /api/v1/teams/ and /api/v1/teams/{slug}/."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

pytestmark = pytest.mark.django_db
USERS = "/api/v1/users/"
TEAMS = "/api/v1/teams/"


def _get(api_client: Any, user: Any, url: str) -> Any:
    api_client.force_authenticate(user)
    response = api_client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def test_users_with_teams_and_roles(api_client: Any, company: SimpleNamespace) -> None:
    body = _get(api_client, company.outsider, USERS)
    people = {row["username"]: row for row in body["results"]}
    assert people["po"] == {
        "id": company.po.pk,
        "username": "po",
        "name": "Priya Patel",
        "email": "po@example.com",
        "is_active": True,
        "roles": ["product owner"],
        "teams": ["support-ai"],
    }
    assert people["gone"]["is_active"] is False and people["gone"]["roles"] == ["cost owner"]
    assert [row["is_active"] for row in body["results"]][-1] is False  # who left comes last


def test_users_filters_and_search(api_client: Any, company: SimpleNamespace) -> None:
    def names(query: str) -> set[str]:
        body = _get(api_client, company.outsider, f"{USERS}?{query}")
        return {row["username"] for row in body["results"]}

    assert names("team=support-ai") == {"po", "gone"}
    assert names("team=support-ai&is_active=true") == {"po"}
    assert names("is_active=false") == {"gone"}
    assert names("search=patel") == {"po"}
    assert names("team=nowhere") == set()
    bad = api_client.get(f"{USERS}?is_active=perhaps")
    assert bad.status_code == 400 and "is_active" in bad.json()["errors"]


def test_superusers_are_admins(api_client: Any, admin_user: Any, company: SimpleNamespace) -> None:
    body = _get(api_client, company.outsider, f"{USERS}?search=admin")
    assert body["results"][0]["roles"] == ["admin"]


def test_teams_list(api_client: Any, company: SimpleNamespace) -> None:
    body = _get(api_client, company.outsider, TEAMS)
    teams = {row["slug"]: row for row in body["results"]}
    assert set(teams) == {"support-ai", "back-office", "platform"}
    assert teams["support-ai"]["member_count"] == 1
    assert teams["support-ai"]["url"] == "/teams/support-ai/"
    assert "id" not in teams["support-ai"]  # the slug is the team's identifier in the API
    only = _get(api_client, company.outsider, f"{TEAMS}?kind=platform")["results"]
    assert [row["slug"] for row in only] == ["platform"]
    assert api_client.get(f"{TEAMS}?kind=other").status_code == 400


def test_team_detail(api_client: Any, company: SimpleNamespace) -> None:
    body = _get(api_client, company.outsider, f"{TEAMS}support-ai/")
    assert body["slug"] == "support-ai" and body["name"] == "Support AI"
    members = {m["username"]: m for m in body["members"]}
    assert members["po"]["roles"] == ["product owner"] and members["gone"]["is_active"] is False
    assert [s["name"] for s in body["scenarios"]] == ["Support answers"]
    own = _get(api_client, company.po, f"{TEAMS}support-ai/")
    assert [s["name"] for s in own["scenarios"]] == ["Secret draft", "Support answers"]
    assert api_client.get(f"{TEAMS}nowhere/").status_code == 404


def test_anonymous_and_wrong_method(api_client: Any, company: SimpleNamespace) -> None:
    for url in (USERS, TEAMS, f"{TEAMS}support-ai/"):
        assert api_client.get(url).status_code == 401
    api_client.force_authenticate(company.outsider)
    assert api_client.post(USERS, {}).status_code == 405
    assert api_client.delete(f"{TEAMS}support-ai/").status_code == 405


def test_documented(api_client: Any, outsider: Any) -> None:
    api_client.force_authenticate(outsider)
    schema = api_client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    users = paths[USERS]["get"]
    assert {"team", "is_active", "search", "page"} <= {p["name"] for p in users["parameters"]}
    assert {"200", "400", "401", "403"} <= set(users["responses"])
    assert {"200", "401", "403", "404"} <= set(paths["/api/v1/teams/{slug}/"]["get"]["responses"])
    person = schema["components"]["schemas"]["Person"]["properties"]
    assert person["teams"]["items"]["type"] == "string"
    detail = schema["components"]["schemas"]["TeamDetail"]["properties"]
    assert detail["members"]["items"]["$ref"].endswith("/Member")
