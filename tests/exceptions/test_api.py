"""API /api/v1/exceptions/: happy paths, wrong method, anonymous, wrong role, wrong state."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from exceptions import services
from exceptions.models import PlatformException
from tests.scenarios.factories import PlatformExceptionFactory, ScenarioFactory

pytestmark = pytest.mark.django_db
Status = PlatformException.Status
BASE = "/api/v1/exceptions/"
CASE = {
    "justification": "Vendor region only.",
    "risk": "low",
    "risk_reason": "Small volume.",
    "compensating_controls": "Vendor logs exported daily.",
}


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def scenario(product_team: Any, product_owner: Any) -> Any:
    return ScenarioFactory(
        name="Support answers",
        team=product_team,
        status="onboarded",
        product_owner=product_owner,
        complete=False,
    )


@pytest.fixture
def requested(scenario: Any, product_owner: Any) -> PlatformException:
    return services.exception_request(
        actor=product_owner, kind="outside_gateway", scenario=scenario, **CASE
    )


def test_anonymous_gets_401(api_client: Any) -> None:
    assert api_client.get(BASE).status_code == 401
    assert api_client.post(BASE, {}).status_code == 401


def test_list_with_filters(api_client: Any, outsider: Any, scenario: Any) -> None:
    PlatformExceptionFactory(scenario=scenario, status=Status.DETECTED, title="found")
    PlatformExceptionFactory(
        scenario=scenario, status=Status.APPROVED, expires_on=days(3), title="soon"
    )
    PlatformExceptionFactory(
        scenario=scenario, status=Status.APPROVED, expires_on=days(60), title="later"
    )
    api_client.force_authenticate(outsider)
    everything = api_client.get(BASE).json()
    assert everything["count"] == 3
    assert {"id", "status", "kind", "expires_on", "is_undocumented"} <= set(
        everything["results"][0]
    )

    def names(query: str) -> set[str]:
        return {row["title"] for row in api_client.get(f"{BASE}?{query}").json()["results"]}

    assert names("status=detected") == {"found"}
    assert names("expiry=7") == {"soon"}
    assert names("expiry=30") == {"soon"}
    assert names("q=lat") == {"later"}
    assert names(f"scenario={scenario.pk}&kind=eval_gate_bypass") == {"found", "soon", "later"}
    assert api_client.get(f"{BASE}?expiry=bogus").status_code == 400


def test_retrieve_includes_history(
    api_client: Any, outsider: Any, requested: PlatformException
) -> None:
    api_client.force_authenticate(outsider)
    body = api_client.get(f"{BASE}{requested.pk}/").json()
    assert body["status"] == "requested"
    assert [(h["transition"], h["target"]) for h in body["history"]] == [("request", "requested")]
    assert api_client.get(f"{BASE}999999/").status_code == 404


def test_create_is_a_request_by_the_teams_product_owner(
    api_client: Any, scenario: Any, product_owner: Any, platform_reviewer: Any
) -> None:
    payload = {"kind": "outside_gateway", "scenario": scenario.pk, **CASE}
    api_client.force_authenticate(platform_reviewer)
    assert api_client.post(BASE, payload, format="json").status_code == 403
    api_client.force_authenticate(product_owner)
    response = api_client.post(BASE, payload, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "requested" and body["requester"]["username"] == "po"
    bad = api_client.post(BASE, {**payload, "kind": "other"}, format="json")
    assert bad.status_code == 400
    assert "other_description" in bad.json()["errors"]
    ignored = api_client.post(
        BASE, {**payload, "status": "approved", "expires_on": "2099-01-01"}, format="json"
    )
    assert ignored.json()["status"] == "requested" and ignored.json()["expires_on"] is None


def test_detect_is_platform_only(
    api_client: Any, scenario: Any, product_owner: Any, platform_reviewer: Any
) -> None:
    payload = {"kind": "provider_keys", "scenario": scenario.pk, "detection_note": "Key in repo."}
    api_client.force_authenticate(product_owner)
    assert api_client.post(f"{BASE}detect/", payload, format="json").status_code == 403
    api_client.force_authenticate(platform_reviewer)
    response = api_client.post(f"{BASE}detect/", payload, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "detected" and response.json()["is_undocumented"]


def test_approve(
    api_client: Any, requested: PlatformException, product_owner: Any, platform_reviewer: Any
) -> None:
    url = f"{BASE}{requested.pk}/approve/"
    api_client.force_authenticate(product_owner)
    assert api_client.post(url, {}, format="json").status_code == 403
    api_client.force_authenticate(platform_reviewer)
    assert api_client.get(url).status_code == 405
    too_long = api_client.post(url, {"expires_on": days(181).isoformat()}, format="json")
    assert too_long.status_code == 400 and "expires_on" in too_long.json()["errors"]
    response = api_client.post(
        url, {"expires_on": days(10).isoformat(), "comment": "ok"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["expires_on"] == days(10).isoformat()
    again = api_client.post(url, {"expires_on": days(10).isoformat()}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"


def test_approve_defaults_to_30_days(
    api_client: Any, requested: PlatformException, platform_reviewer: Any
) -> None:
    api_client.force_authenticate(platform_reviewer)
    response = api_client.post(f"{BASE}{requested.pk}/approve/", {}, format="json")
    assert response.json()["expires_on"] == days(30).isoformat()


def test_reject_revoke_close(
    api_client: Any, scenario: Any, product_owner: Any, platform_reviewer: Any
) -> None:
    one = services.exception_request(
        actor=product_owner, kind="outside_gateway", scenario=scenario, **CASE
    )
    two = services.exception_request(
        actor=product_owner, kind="outside_gateway", scenario=scenario, **CASE
    )
    api_client.force_authenticate(platform_reviewer)
    assert api_client.post(f"{BASE}{one.pk}/reject/", {}, format="json").status_code == 400
    rejected = api_client.post(f"{BASE}{one.pk}/reject/", {"comment": "No."}, format="json")
    assert rejected.json()["status"] == "rejected"
    assert (
        api_client.post(f"{BASE}{two.pk}/revoke/", {"reason": "x"}, format="json").status_code
        == 409
    )
    api_client.post(f"{BASE}{two.pk}/approve/", {}, format="json")
    revoked = api_client.post(f"{BASE}{two.pk}/revoke/", {"reason": "Grew."}, format="json")
    assert revoked.json()["status"] == "revoked" and revoked.json()["end_reason"] == "Grew."
    three = services.exception_request(
        actor=product_owner, kind="outside_gateway", scenario=scenario, **CASE
    )
    api_client.post(f"{BASE}{three.pk}/approve/", {}, format="json")
    api_client.force_authenticate(product_owner)
    closed = api_client.post(f"{BASE}{three.pk}/close/", {"comment": "Fixed."}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_justify(
    api_client: Any,
    scenario: Any,
    product_owner: Any,
    other_product_owner: Any,
    platform_reviewer: Any,
) -> None:
    found = services.exception_detect(
        actor=platform_reviewer, kind="provider_keys", scenario=scenario, detection_note="Key."
    )
    url = f"{BASE}{found.pk}/justify/"
    api_client.force_authenticate(other_product_owner)
    assert api_client.post(url, CASE, format="json").status_code == 403
    api_client.force_authenticate(product_owner)
    assert api_client.post(url, {**CASE, "risk": ""}, format="json").status_code == 400
    response = api_client.post(url, CASE, format="json")
    assert response.status_code == 200 and response.json()["status"] == "requested"
    assert api_client.post(url, CASE, format="json").status_code == 409


def test_no_edit_or_delete(api_client: Any, requested: PlatformException, admin_user: Any) -> None:
    api_client.force_authenticate(admin_user)
    url = f"{BASE}{requested.pk}/"
    assert api_client.put(url, {"title": "x"}, format="json").status_code == 405
    assert api_client.patch(url, {"expires_on": "2099-01-01"}, format="json").status_code == 405
    assert api_client.delete(url).status_code == 405


def test_schema_describes_every_action_and_its_errors(api_client: Any, outsider: Any) -> None:
    api_client.force_authenticate(outsider)
    schema = api_client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/exceptions/"])
    assert "post" in paths["/api/v1/exceptions/detect/"]
    for name in ("approve", "reject", "revoke", "close", "justify"):
        responses = paths[f"/api/v1/exceptions/{{id}}/{name}/"]["post"]["responses"]
        assert {"200", "400", "403", "404", "409"} <= set(responses), name
    assert {"201", "400", "403"} <= set(paths["/api/v1/exceptions/"]["post"]["responses"])


def test_team_is_named_by_its_slug_in_fields_and_filters(
    api_client: Any, scenario: Any, product_team: Any, other_team: Any, product_owner: Any
) -> None:
    PlatformExceptionFactory(scenario=scenario, team=product_team, title="ours")
    PlatformExceptionFactory(scenario=None, team=other_team, title="theirs")
    api_client.force_authenticate(product_owner)
    rows = api_client.get(f"{BASE}?team=support-ai").json()["results"]
    assert [(row["title"], row["team"]) for row in rows] == [("ours", "support-ai")]
    unknown = api_client.get(f"{BASE}?team={product_team.pk}")
    assert unknown.status_code == 400 and "team" in unknown.json()["errors"]
    platform_wide = {"kind": "provider_keys", "team": "support-ai", **CASE}
    created = api_client.post(BASE, platform_wide, format="json")
    assert created.status_code == 201 and created.json()["team"] == "support-ai"
    by_number = api_client.post(BASE, {**platform_wide, "team": product_team.pk}, format="json")
    assert by_number.status_code == 400 and "team" in by_number.json()["errors"]
    assert PlatformException.objects.filter(team=product_team).count() == 2


def test_schema_names_the_team_by_slug(api_client: Any, outsider: Any) -> None:
    api_client.force_authenticate(outsider)
    schema = api_client.get("/api/schema/?format=json").json()
    parameters = schema["paths"]["/api/v1/exceptions/"]["get"]["parameters"]
    team = next(p for p in parameters if p["name"] == "team")
    assert team["schema"]["type"] == "string"
    components = schema["components"]["schemas"]
    assert components["Exception"]["properties"]["team"]["type"] == "string"
    assert components["ExceptionRequestInputRequest"]["properties"]["team"]["type"] == "string"
