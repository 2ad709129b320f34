"""List, detail and intake pages and the API run the same number of queries at 10 and 200
scenarios; the scenario page's releases and incidents panels the same at 2 and 30 rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scenarios import services
from tests.incidents.factories import IncidentFactory
from tests.releases.factories import ReleaseFactory
from tests.scenarios.factories import ScenarioFactory, ToolFactory
from tests.scenarios.scenario_fixtures import ALL_PASS, STATES

pytestmark = pytest.mark.django_db

# HTML: the page's reads (the session, the user, their roles and teams are cached). API clients
# keep the user object (and its cached roles) between requests.
EXPECTED = {
    "/scenarios/": 4,
    "/scenarios/review-queue/": 3,
    "/api/v1/scenarios/": 2,
    # One query each for the open vacancies, the amendment history, the playground runs and the
    # releases and incidents panels.
    "detail": 16,
    # The scorecard also reads the approved releases and their sign-offs once there are some.
    "detail with releases": 17,
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


def test_panels_queries_do_not_grow_with_releases_and_incidents(
    make_scenario: Any, platform_reviewer: Any, client: Any
) -> None:
    """The same page with 5 and with 30 releases and incidents, each size holding every state
    (the scorecard reads more once released and superseded releases exist)."""
    scenario = make_scenario("onboarded")
    states = ("draft", "submitted", "released", "superseded", "rolled_back")
    client.force_login(platform_reviewer)
    counts = []
    for rows in (5, 25):
        for n in range(rows):
            ReleaseFactory(scenario=scenario, status=states[n % len(states)])
            IncidentFactory(scenario=scenario, status=("open", "closed", "resolved")[n % 3])
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/scenarios/{scenario.pk}/")
        assert page.status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts == [EXPECTED["detail with releases"]] * 2
    html = page.content.decode()
    assert 'id="scenario-releases"' in html and 'id="scenario-incidents"' in html


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
