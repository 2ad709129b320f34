"""API-wide conventions on the real URL configuration: unknown paths, schema, defaults."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient


@pytest.mark.django_db
def test_unknown_api_path_is_json_404(api_client: APIClient, outsider: Any) -> None:
    api_client.force_authenticate(outsider)
    response = api_client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "There is nothing at this address, or you may not see it.",
        "code": "not_found",
    }


@pytest.mark.django_db
def test_schema_documents_the_error_shape(client: Any, outsider: Any) -> None:
    client.force_login(outsider)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {"detail", "code"}
    me = schema["paths"]["/api/v1/me/"]["get"]["responses"]
    assert {"200", "401", "403"} <= set(me)


@pytest.mark.django_db
def test_docs_page_renders_for_signed_in_users(client: Any, outsider: Any) -> None:
    client.force_login(outsider)
    assert client.get("/api/docs/").status_code == 200


def test_api_defaults() -> None:
    api = settings.REST_FRAMEWORK
    assert api["DEFAULT_PERMISSION_CLASSES"] == ["rest_framework.permissions.IsAuthenticated"]
    assert (
        "rest_framework.authentication.SessionAuthentication"
        in api["DEFAULT_AUTHENTICATION_CLASSES"]
    )
    assert api["DEFAULT_THROTTLE_CLASSES"]
    assert api["DEFAULT_PAGINATION_CLASS"] == "portal.api.PageNumberPagination"
    assert settings.SPECTACULAR_SETTINGS["COMPONENT_SPLIT_REQUEST"] is True
