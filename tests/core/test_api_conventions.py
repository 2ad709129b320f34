"""API-wide conventions on the real URL configuration: unknown paths, schema, defaults."""

from __future__ import annotations

from typing import Any

import jsonschema
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


def _schema(client: Any) -> dict[str, Any]:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def _documented(schema: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    """The JSON schema of one documented response, with the components it refers to."""
    responses = schema["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path} does not document {status}"
    body = responses[str(status)]["content"]["application/json"]["schema"]
    return {**body, "components": schema["components"]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [b'{"title": "unfinished', b"\xf6\xaf\xdc\x94G", b"[" * 100_000, b'{"a":' * 100_000],
    ids=["truncated", "not-utf8", "nested-arrays", "nested-objects"],
)
def test_unparsable_body_is_a_documented_400(client: Any, outsider: Any, body: bytes) -> None:
    """A body the JSON parser refuses (deep nesting included) is a 400 in the documented
    validation-error shape, and nothing is created."""
    from portal.support.models import SupportRequest

    client.force_login(outsider)
    schema = _documented(_schema(client), "/api/v1/support-requests/", "post", 400)
    response = client.post("/api/v1/support-requests/", body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    payload = response.json()
    jsonschema.validate(payload, schema)
    assert payload["code"] == "parse_error"
    assert payload["errors"]["non_field_errors"] == [payload["detail"]]
    assert "JSON" in payload["detail"]
    assert not SupportRequest.objects.exists()


def _paginated_lists(schema: dict[str, Any]) -> list[str]:
    return [
        path
        for path, operations in schema["paths"].items()
        if any(p["name"] == "page" for p in operations.get("get", {}).get("parameters", []))
    ]


@pytest.mark.django_db
def test_every_paginated_list_documents_400_and_404(client: Any, outsider: Any) -> None:
    client.force_login(outsider)
    schema = _schema(client)
    lists = _paginated_lists(schema)
    assert len(lists) >= 8
    for path in lists:
        invalid = _documented(schema, path, "get", 400)
        assert invalid["$ref"] == "#/components/schemas/ValidationError", path
        missing = _documented(schema, path, "get", 404)
        assert missing["$ref"] == "#/components/schemas/Error", path


@pytest.mark.django_db
def test_a_page_past_the_end_is_the_documented_404(client: Any, outsider: Any) -> None:
    client.force_login(outsider)
    schema = _schema(client)
    for path in _paginated_lists(schema):
        response = client.get(path, {"page": 999})
        assert response.status_code == 404, path
        jsonschema.validate(response.json(), _documented(schema, path, "get", 404))
