"""The register's CSV export on the list page and in the API: the filtered list, for everyone
who may read the register, written by the same function as the admin's export action."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from exceptions import exports, services
from exceptions.models import PlatformException
from tests.scenarios.factories import PlatformExceptionFactory, ScenarioFactory

pytestmark = pytest.mark.django_db
Status = PlatformException.Status
PAGE = "/exceptions/"
PAGE_EXPORT = "/exceptions/export.csv"
API_EXPORT = "/api/v1/exceptions/export/"
CASE = {
    "justification": "Vendor region only.",
    "risk": "low",
    "risk_reason": "Small volume.",
    "compensating_controls": "Vendor logs exported daily.",
}


@pytest.fixture
def scenario(product_team: Any, product_owner: Any) -> Any:
    return ScenarioFactory(
        name="Support answers", team=product_team, status="onboarded", product_owner=product_owner
    )


@pytest.fixture
def register(scenario: Any, other_team: Any, product_owner: Any, platform_reviewer: Any) -> None:
    requested = services.exception_request(
        actor=product_owner, kind="outside_gateway", scenario=scenario, title="Gateway", **CASE
    )
    services.exception_approve(requested.pk, actor=platform_reviewer, comment="Until Q3.")
    PlatformExceptionFactory(scenario=None, team=other_team, title="Elsewhere")


def _table(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode())))


def _titles(content: bytes) -> list[str]:
    header, *rows = _table(content)
    return [row[header.index("title")] for row in rows]


def test_the_page_links_the_export_of_the_current_filter(
    client: Client, outsider: Any, register: None
) -> None:
    client.force_login(outsider)
    html = client.get(f"{PAGE}?team=support-ai&page=1").content.decode()
    assert f'href="{PAGE_EXPORT}?team=support-ai"' in html
    assert ">Download CSV</a>" in html
    assert '<option value="support-ai" selected>' in html  # the team filter names teams by slug
    assert f'href="{PAGE_EXPORT}"' in client.get(PAGE).content.decode()


def test_page_export_is_the_filtered_list_with_its_history(
    client: Client, outsider: Any, register: None
) -> None:
    client.force_login(outsider)
    response = client.get(f"{PAGE_EXPORT}?team=support-ai")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _table(response.content)
    assert header == exports.HEADER
    history = [(row[header.index("transition")], row[header.index("actor")]) for row in rows]
    assert history == [("request", "po"), ("approve", "reviewer")]
    assert _titles(client.get(PAGE_EXPORT).content) == ["Gateway", "Gateway", "Elsewhere"]


def test_page_export_refuses_a_bad_filter(client: Client, outsider: Any, register: None) -> None:
    client.force_login(outsider)
    response = client.get(f"{PAGE_EXPORT}?expiry=bogus")
    assert response.status_code == 400
    assert "Expiry" in response.content.decode()


def test_page_export_needs_a_signed_in_user(client: Client, inactive_user: Any) -> None:
    response = client.get(PAGE_EXPORT)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.post(PAGE_EXPORT).status_code in (302, 405)


def test_api_export_is_the_filtered_list(
    api_client: Any, outsider: Any, register: None, scenario: Any
) -> None:
    assert api_client.get(API_EXPORT).status_code == 401
    api_client.force_authenticate(outsider)
    response = api_client.get(f"{API_EXPORT}?scenario={scenario.pk}&status=approved")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert _titles(response.content) == ["Gateway", "Gateway"]
    assert _titles(api_client.get(f"{API_EXPORT}?team=back-office").content) == ["Elsewhere"]
    bad = api_client.get(f"{API_EXPORT}?team=nowhere")
    assert bad.status_code == 400 and "team" in bad.json()["errors"]
    assert api_client.post(API_EXPORT).status_code == 405


def test_api_export_is_documented(api_client: Any, outsider: Any) -> None:
    api_client.force_authenticate(outsider)
    schema = api_client.get("/api/schema/?format=json").json()
    operation = schema["paths"][API_EXPORT]["get"]
    assert "text/csv" in operation["responses"]["200"]["content"]
    assert {"400", "401", "403"} <= set(operation["responses"])
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"q", "status", "kind", "scenario", "team", "expiry"} <= names


@pytest.mark.parametrize("count", [5, 60])
def test_export_queries_do_not_grow_with_rows(
    client: Client,
    api_client: Any,
    outsider: Any,
    scenario: Any,
    count: int,
    django_assert_num_queries: Any,
) -> None:
    PlatformExceptionFactory.create_batch(count, scenario=scenario)
    client.force_login(outsider)
    client.get(PAGE_EXPORT)  # warm the session and the content type cache
    # the filter's team, exceptions, their history (the session and the user are cached)
    with django_assert_num_queries(3):
        assert len(_titles(client.get(f"{PAGE_EXPORT}?team=support-ai").content)) == count
    api_client.force_authenticate(outsider)
    with django_assert_num_queries(3):  # team of the filter, exceptions, their history
        assert len(_titles(api_client.get(f"{API_EXPORT}?team=support-ai").content)) == count
