"""One JSON error shape for the whole API: {"detail": ..., "code": ...} with the right status.

The tiny views below are mounted only for these tests (see `urlpatterns`); the transition view
runs the real `perform` on a real Scenario, so the 403/404/409 come from the production path.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import include, path
from rest_framework import serializers
from rest_framework.decorators import api_view, throttle_classes
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from portal.core import transitions
from scenarios.models import Scenario
from tests.scenarios.factories import ScenarioFactory


class NameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=5)


class TwoPerMinute(UserRateThrottle):
    # Its own cache: clearing the shared one would flush Redis, which is also the broker.
    cache = LocMemCache("throttle-test", {})
    rate = "2/minute"


@api_view(["POST"])
def start_review(request: Request, pk: int) -> Response:
    scenario = transitions.perform(
        Scenario, pk, "start_review", actor=request.user, kwargs={"by": request.user}
    )
    return Response({"status": scenario.status})


@api_view(["POST"])
def validate(request: Request) -> Response:
    serializer = NameSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return Response(serializer.validated_data)


@api_view(["POST"])
def model_validation(request: Request) -> Response:
    raise DjangoValidationError({"eval_score": ["Below the threshold of 80."]})


@api_view(["GET"])
def forbidden(request: Request) -> Response:
    raise PermissionDenied("Only the quality owner may sign off.")


@api_view(["GET"])
@throttle_classes([TwoPerMinute])
def throttled(request: Request) -> Response:
    return Response({"ok": True})


urlpatterns = [
    path("api/v1/", include("portal.core.api_urls")),
    path("api/v1/scenarios/<int:pk>/start-review/", start_review),
    path("api/v1/validate/", validate),
    path("api/v1/model-validation/", model_validation),
    path("api/v1/forbidden/", forbidden),
    path("api/v1/throttled/", throttled),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["code"] == code
    return body


@pytest.fixture
def submitted(product_owner: Any, platform_owner: Any, product_team: Any) -> Scenario:
    return ScenarioFactory(
        status="submitted",
        team=product_team,
        product_owner=product_owner,
        platform_owner=platform_owner,
    )


def test_anonymous_gets_401_with_a_challenge(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/me/")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Token")


def test_signed_in_user_reads_me(api_client: APIClient, product_owner: Any) -> None:
    api_client.force_authenticate(product_owner)
    body = api_client.get("/api/v1/me/").json()
    assert body["username"] == "po"
    assert body["roles"] == ["product owner"]
    assert body["teams"] == ["support-ai"]


def test_transition_happy_path(
    api_client: APIClient, submitted: Scenario, platform_reviewer: Any
) -> None:
    api_client.force_authenticate(platform_reviewer)
    response = api_client.post(f"/api/v1/scenarios/{submitted.pk}/start-review/")
    assert response.status_code == 200
    assert response.json() == {"status": "in_review"}


def test_wrong_state_is_409(
    api_client: APIClient, submitted: Scenario, platform_reviewer: Any
) -> None:
    api_client.force_authenticate(platform_reviewer)
    api_client.post(f"/api/v1/scenarios/{submitted.pk}/start-review/")
    response = api_client.post(f"/api/v1/scenarios/{submitted.pk}/start-review/")
    body = assert_error(response, 409, "invalid_state")
    assert "state is “In review”" in body["detail"]


def test_permission_is_403(api_client: APIClient, submitted: Scenario, product_owner: Any) -> None:
    api_client.force_authenticate(product_owner)
    response = api_client.post(f"/api/v1/scenarios/{submitted.pk}/start-review/")
    body = assert_error(response, 403, "permission_denied")
    assert body["detail"] == "You may not start review this scenario."


def test_django_permission_denied_keeps_its_message(api_client: APIClient, outsider: Any) -> None:
    api_client.force_authenticate(outsider)
    body = assert_error(api_client.get("/api/v1/forbidden/"), 403, "permission_denied")
    assert body["detail"] == "Only the quality owner may sign off."


def test_missing_object_is_404(api_client: APIClient, platform_reviewer: Any) -> None:
    api_client.force_authenticate(platform_reviewer)
    response = api_client.post("/api/v1/scenarios/987654/start-review/")
    assert_error(response, 404, "not_found")


def test_serializer_validation_is_400_with_field_errors(
    api_client: APIClient, outsider: Any
) -> None:
    api_client.force_authenticate(outsider)
    response = api_client.post("/api/v1/validate/", {"name": "far too long"}, format="json")
    body = assert_error(response, 400, "invalid")
    assert list(body["errors"]) == ["name"]


def test_model_validation_error_is_400(api_client: APIClient, outsider: Any) -> None:
    api_client.force_authenticate(outsider)
    response = api_client.post("/api/v1/model-validation/")
    body = assert_error(response, 400, "invalid")
    assert body["errors"] == {"eval_score": ["Below the threshold of 80."]}


def test_wrong_method_is_405(api_client: APIClient, outsider: Any) -> None:
    api_client.force_authenticate(outsider)
    assert_error(api_client.get("/api/v1/validate/"), 405, "method_not_allowed")


def test_throttled_is_429(api_client: APIClient, outsider: Any) -> None:
    TwoPerMinute.cache.clear()
    api_client.force_authenticate(outsider)
    assert api_client.get("/api/v1/throttled/").status_code == 200
    assert api_client.get("/api/v1/throttled/").status_code == 200
    assert_error(api_client.get("/api/v1/throttled/"), 429, "throttled")


def test_django_validation_without_a_field_is_non_field_errors() -> None:
    from portal.core.api_conventions import _validation_payload

    assert _validation_payload(DjangoValidationError("Both sign-offs are needed.")) == {
        "non_field_errors": ["Both sign-offs are needed."]
    }
    assert _validation_payload(DjangoValidationError({"__all__": ["Nope."], "x": ["Bad."]})) == {
        "non_field_errors": ["Nope."],
        "x": ["Bad."],
    }


@api_view(["POST"])
def message_validation(request: Request) -> Response:
    raise serializers.ValidationError("Both sign-offs are needed.")


urlpatterns.append(path("api/v1/message-validation/", message_validation))


def test_validation_error_with_a_message_is_a_non_field_error(
    api_client: APIClient, outsider: Any
) -> None:
    api_client.force_authenticate(outsider)
    body = assert_error(api_client.post("/api/v1/message-validation/"), 400, "invalid")
    assert body["errors"] == {"non_field_errors": ["Both sign-offs are needed."]}
