"""A NUL character anywhere in a request's address, query string or form fields is a clear 400
(JSON in the API's error shape under /api/, a page otherwise), and nothing is saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from scenarios.models import Scenario

pytestmark = pytest.mark.django_db

MESSAGE = "The request contains a NUL character (\\x00), which no field accepts."


def _client(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/support-requests/?status=%00",
        "/api/v1/scenarios/?q=a%00b",
        "/api/v1/incidents/?sev%00erity=SEV1",
        "/api/v1/tokens/?user=%00",
        "/api/v1/exceptions/%00/",
    ],
)
def test_api_answers_400_in_its_error_shape(admin_user: Any, url: str) -> None:
    response = _client(admin_user).get(url)
    assert response.status_code == 400
    assert response.json() == {
        "detail": MESSAGE,
        "code": "invalid",
        "errors": {"non_field_errors": [MESSAGE]},
    }


@pytest.mark.parametrize(
    "url",
    [
        "/tokens/?user=%00",
        "/admin/core/auditentry/?transition=%00",
        "/admin/core/user/?q=%00",
        "/scenarios/?team=%00",
        "/incidents/%00/",
    ],
)
def test_pages_answer_400_with_a_page_that_says_why(admin_user: Any, url: str) -> None:
    response = _client(admin_user).get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert MESSAGE in response.content.decode()


def test_new_scenario_form_with_a_nul_in_the_team_saves_nothing(product_owner: Any) -> None:
    response = _client(product_owner).post(
        "/scenarios/new/", {"team": "support\x00ai", "name": "Refund helper"}
    )
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert not Scenario.objects.exists()


def test_api_form_body_with_a_nul_saves_nothing(product_owner: Any, product_team: Any) -> None:
    response = _client(product_owner).post(
        "/api/v1/scenarios/", {"team": product_team.slug, "name": "Refund\x00 helper"}
    )
    assert response.status_code == 400
    assert response.json()["detail"] == MESSAGE
    assert not Scenario.objects.exists()


def test_requests_without_nul_pass(admin_user: Any) -> None:
    assert _client(admin_user).get("/api/v1/support-requests/?status=open").status_code == 200
    assert _client(admin_user).get("/tokens/?user=admin").status_code == 200


def test_json_bodies_with_a_nul_are_refused(product_owner: Any, product_team: Any) -> None:
    client = _client(product_owner)
    for body in (
        {"team": product_team.slug, "name": "Refund\x00 helper"},
        {"team": "support\x00ai", "name": "Refund helper"},
        {"team": product_team.slug, "name": "x", "escalation_path": [{"a": "\\\x00"}]},
    ):
        response = client.post("/api/v1/scenarios/", body, content_type="application/json")
        assert response.status_code == 400, response.content
        assert response.json()["detail"] == MESSAGE
    assert not Scenario.objects.exists()


def test_json_text_that_only_spells_u0000_is_not_a_nul(
    product_owner: Any, product_team: Any
) -> None:
    body = {"team": product_team.slug, "name": "Escapes \\u0000 in prompts"}
    response = _client(product_owner).post(
        "/api/v1/scenarios/", body, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert Scenario.objects.get().name == "Escapes \\u0000 in prompts"
