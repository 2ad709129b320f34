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
    assert api["DEFAULT_PAGINATION_CLASS"] == "portal.core.api_conventions.PageNumberPagination"
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
    from support.models import SupportRequest

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


def _paginated_lists(schema: dict[str, Any], *, concrete: bool = False) -> list[str]:
    """Every list path; `concrete` leaves out an object's lists (`/{id}/history/`), which need
    an object to ask about (they use the same paginator)."""
    return [
        path
        for path, operations in schema["paths"].items()
        if any(p["name"] == "page" for p in operations.get("get", {}).get("parameters", []))
        and not (concrete and "{" in path)
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
def test_a_page_past_the_end_is_the_documented_404(client: Any, admin_user: Any) -> None:
    client.force_login(admin_user)  # every list is readable to an admin
    schema = _schema(client)
    for path in _paginated_lists(schema, concrete=True):
        response = client.get(path, {"page": 999})
        assert response.status_code == 404, path
        jsonschema.validate(response.json(), _documented(schema, path, "get", 404))


@pytest.mark.django_db
@pytest.mark.parametrize("size", ["abc", "0", "-1", "2.5", "201", "100000"])
def test_a_page_size_out_of_range_is_refused(client: Any, admin_user: Any, size: str) -> None:
    """`page_size` is a whole number from 1 to 200 (as documented); anything else is a 400
    naming it, on every list that takes it."""
    client.force_login(admin_user)  # every list is readable to an admin
    schema = _schema(client)
    sized = [
        path
        for path in _paginated_lists(schema, concrete=True)
        if any(p["name"] == "page_size" for p in schema["paths"][path]["get"]["parameters"])
    ]
    assert len(sized) >= 8
    for path in sized:
        parameter = next(
            p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "page_size"
        )
        assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": 200}, path
        response = client.get(path, {"page_size": size})
        assert response.status_code == 400, (path, response.content[:200])
        jsonschema.validate(response.json(), _documented(schema, path, "get", 400))
        assert "page_size" in response.json()["errors"], path
        assert client.get(path, {"page_size": "200"}).status_code == 200, path


def _closed_parameters(schema: dict[str, Any]) -> list[tuple[str, str]]:
    """(path, name) of every list query parameter with a closed set of values."""
    found = []
    for path in _paginated_lists(schema, concrete=True):
        for parameter in schema["paths"][path]["get"]["parameters"]:
            kind = parameter.get("schema", {})
            if kind.get("enum") or kind.get("type") == "boolean":
                found.append((path, parameter["name"]))
    return found


@pytest.mark.django_db
def test_a_value_outside_a_filters_choices_is_refused(client: Any, admin_user: Any) -> None:
    """An enum or boolean filter given a value it does not know is a 400 naming the filter,
    not a list that silently ignores it."""
    client.force_login(admin_user)  # every list is readable to an admin
    schema = _schema(client)
    closed = _closed_parameters(schema)
    names = {name for _path, name in closed}
    assert {"status", "awaiting", "allowed", "mine", "queue", "category"} <= names
    ignored = []
    for path, name in closed:
        response = client.get(path, {name: "bogus"})
        if response.status_code != 400 or name not in response.json()["errors"]:
            ignored.append(f"{path}?{name}=bogus: {response.status_code}")
            continue
        jsonschema.validate(response.json(), _documented(schema, path, "get", 400))
    assert ignored == []


@pytest.mark.django_db
def test_only_lists_document_filters(client: Any, outsider: Any) -> None:
    """A read of one object (an incident's timeline, say) documents no list filters it would
    ignore; an object's own paged list (its history) documents only its page parameters."""
    client.force_login(outsider)
    schema = _schema(client)
    documented = {
        path: [
            p["name"]
            for p in operations["get"].get("parameters", [])
            if p["in"] == "query" and p["name"] not in ("page", "page_size")
        ]
        for path, operations in schema["paths"].items()
        if "{id}" in path and "get" in operations
    }
    assert {path: names for path, names in documented.items() if names} == {}
