"""GET /api/v1/audit/: the whole audit trail for admins, newest first, filtered, in bounded pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from portal.core.audit import record_transition
from tests.releases.factories import ReleaseFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/audit/"
UTC = dt.UTC


@pytest.fixture
def trail(product_owner: Any, platform_reviewer: Any) -> dict[str, Any]:
    scenario = ScenarioFactory(name="Support answers", product_owner=product_owner)
    release = ReleaseFactory(scenario=scenario, status="submitted")
    with time_machine.travel(dt.datetime(2026, 2, 1, 9, tzinfo=UTC), tick=False):
        record_transition(
            scenario, transition="submit", source="draft", target="submitted", actor=product_owner
        )
    with time_machine.travel(dt.datetime(2026, 2, 3, 9, tzinfo=UTC), tick=False):
        record_transition(
            scenario,
            transition="start_review",
            source="submitted",
            target="in_review",
            actor=platform_reviewer,
        )
    with time_machine.travel(dt.datetime(2026, 2, 5, 9, tzinfo=UTC), tick=False):
        record_transition(
            release, transition="submit", source="draft", target="submitted", actor=None
        )
    return {"scenario": scenario, "release": release}


def _transitions(api_client: Any, query: str = "") -> list[str]:
    response = api_client.get(f"{URL}?{query}")
    assert response.status_code == 200, response.content
    return [f"{e['object_type']}:{e['transition']}" for e in response.json()["results"]]


def test_admins_read_the_trail_newest_first(
    api_client: Any, admin_user: Any, trail: dict[str, Any]
) -> None:
    api_client.force_authenticate(admin_user)
    body = api_client.get(URL).json()
    assert body["count"] == 3 and body["count_is_exact"] is True
    newest = body["results"][0]
    assert newest["object_type"] == "releases.release"
    assert newest["object_id"] == str(trail["release"].pk)
    assert newest["actor"] is None and newest["created_at"].startswith("2026-02-05")
    assert {"object_repr", "request_id", "comment", "as_delegate"} <= set(newest)
    assert _transitions(api_client) == [
        "releases.release:submit",
        "scenarios.scenario:start_review",
        "scenarios.scenario:submit",
    ]


def test_filters(
    api_client: Any,
    admin_user: Any,
    product_owner: Any,
    platform_reviewer: Any,
    trail: dict[str, Any],
) -> None:
    api_client.force_authenticate(admin_user)
    scenario = trail["scenario"]
    assert _transitions(api_client, "object_type=releases.release") == ["releases.release:submit"]
    assert _transitions(api_client, f"object_type=scenarios.scenario&object_id={scenario.pk}") == [
        "scenarios.scenario:start_review",
        "scenarios.scenario:submit",
    ]
    assert _transitions(api_client, f"actor={platform_reviewer.pk}") == [
        "scenarios.scenario:start_review"
    ]
    # The person by username too, as the portal's other person filters take them.
    assert _transitions(api_client, f"actor={platform_reviewer.username}") == [
        "scenarios.scenario:start_review"
    ]
    assert _transitions(api_client, "action=submit") == [
        "releases.release:submit",
        "scenarios.scenario:submit",
    ]
    # Both days are included, as in the admin's CSV export of a date range.
    assert _transitions(api_client, "since=2026-02-02&until=2026-02-05") == [
        "releases.release:submit",
        "scenarios.scenario:start_review",
    ]
    assert _transitions(api_client, "until=2026-02-01") == ["scenarios.scenario:submit"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("object_type=nothing.here", "object_type"),
        ("object_type=scenarios", "object_type"),
        ("actor=999999", "actor"),
        ("actor=abc", "actor"),
        ("since=yesterday", "since"),
        ("since=2026-02-05&until=2026-02-01", "until"),
    ],
)
def test_bad_filters_are_400(
    api_client: Any, admin_user: Any, trail: dict[str, Any], query: str, field: str
) -> None:
    api_client.force_authenticate(admin_user)
    response = api_client.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_only_admins(
    api_client: Any, product_owner: Any, platform_reviewer: Any, trail: dict[str, Any]
) -> None:
    assert api_client.get(URL).status_code == 401
    for person in (product_owner, platform_reviewer):
        api_client.force_authenticate(person)
        response = api_client.get(URL)
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        # A filter is no way around it.
        assert api_client.get(f"{URL}?actor=abc").status_code == 403


def test_wrong_method(api_client: Any, admin_user: Any) -> None:
    api_client.force_authenticate(admin_user)
    assert api_client.post(URL, {}).status_code == 405


def test_documented(api_client: Any, admin_user: Any) -> None:
    api_client.force_authenticate(admin_user)
    schema = api_client.get("/api/schema/?format=json").json()
    operation = schema["paths"][URL]["get"]
    assert {"200", "400", "401", "403"} <= set(operation["responses"])
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"object_type", "object_id", "actor", "action", "since", "until", "page"} <= names
    page = schema["components"]["schemas"]["PaginatedAuditTrailEntryList"]
    assert "count_is_exact" in page["properties"]


@pytest.mark.parametrize("count", [5, 300])
def test_queries_do_not_grow(
    api_client: Any,
    admin_user: Any,
    product_owner: Any,
    count: int,
    django_assert_num_queries: Any,
) -> None:
    scenario = ScenarioFactory(product_owner=product_owner)
    for n in range(count):
        record_transition(scenario, transition=f"t{n}", source="a", target="b", actor=product_owner)
    api_client.force_authenticate(admin_user)
    with django_assert_num_queries(4):  # roles, the actor of the filter, the count, the page
        body = api_client.get(f"{URL}?actor={product_owner.pk}").json()
    assert len(body["results"]) == min(count, 25)
    assert body["count_is_exact"] is (count <= 250)
