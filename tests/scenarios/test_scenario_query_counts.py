"""List, detail and intake pages and the API run the same number of queries at 10 and 200
scenarios."""

from __future__ import annotations

from typing import Any

import pytest

from scenarios import services
from tests.scenarios.factories import ScenarioFactory, ToolFactory
from tests.scenarios.scenario_fixtures import ALL_PASS, STATES

pytestmark = pytest.mark.django_db

# HTML: the page's reads (the session, the user, their roles and teams are cached). API clients
# keep the user object (and its cached roles) between requests.
EXPECTED = {
    "/scenarios/": 4,
    "/scenarios/review-queue/": 3,
    "/api/v1/scenarios/": 2,
    # One query each for the open vacancies, the amendment history and the playground runs.
    "detail": 14,
    # The people of the fifteen selects in one query, the tools, the teams (twice: the default
    # and the select); the edit page reads the scenario with its escalation path and tools.
    "new": 5,
    "edit": 5,
    "api-detail": 8,
    "api-record": 10,
}


@pytest.fixture
def world(make_scenario: Any, platform_reviewer: Any, incident_owner: Any) -> Any:
    def build(size: int) -> Any:
        tools = [ToolFactory(name=f"tool-{n}") for n in range(3 if size > 10 else 1)]
        for n in range(size):
            make_scenario(STATES[n % len(STATES)], name=f"S{n}", tools=tools)
        target = make_scenario(
            "in_review", tools=tools, escalation=[platform_reviewer, incident_owner][: size // 100]
        )
        for _ in range(3 if size > 10 else 1):
            ScenarioFactory._meta.model.objects.filter(pk=target.pk).update(status="in_review")
            services.scenario_decide(
                actor=platform_reviewer,
                pk=target.pk,
                decision="request_changes",
                comment="Again",
                answers=ALL_PASS,
            )
        return target

    return build


@pytest.mark.parametrize("size", [10, 200])
def test_page_queries_do_not_grow(
    size: int, world: Any, platform_reviewer: Any, client: Any, django_assert_num_queries: Any
) -> None:
    target = world(size)
    client.force_login(platform_reviewer)
    pages = {
        "/scenarios/": "/scenarios/",
        "/scenarios/review-queue/": "/scenarios/review-queue/",
        "detail": f"/scenarios/{target.pk}/",
    }
    for key, url in pages.items():
        with django_assert_num_queries(EXPECTED[key]):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", [10, 200])
def test_intake_pages_queries_do_not_grow(
    size: int,
    world: Any,
    make_scenario: Any,
    product_owner: Any,
    client: Any,
    django_assert_num_queries: Any,
) -> None:
    world(size)
    tools = [ToolFactory(name=f"pick-{n}") for n in range(3)]
    draft = make_scenario("draft", name="Draft", tools=tools, escalation=[product_owner])
    client.force_login(product_owner)
    for key, url in {"new": "/scenarios/new/", "edit": f"/scenarios/{draft.pk}/edit/"}.items():
        with django_assert_num_queries(EXPECTED[key]):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", [10, 200])
def test_api_queries_do_not_grow(
    size: int, world: Any, platform_reviewer: Any, api_client: Any, django_assert_num_queries: Any
) -> None:
    target = world(size)
    api_client.force_authenticate(platform_reviewer)
    pages = {
        "/api/v1/scenarios/": "/api/v1/scenarios/",
        "api-detail": f"/api/v1/scenarios/{target.pk}/",
        "api-record": f"/api/v1/scenarios/{target.pk}/decision-record/",
    }
    for key, url in pages.items():
        with django_assert_num_queries(EXPECTED[key]):
            assert api_client.get(url).status_code == 200
