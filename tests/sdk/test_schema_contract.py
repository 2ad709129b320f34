"""Every endpoint, parameter, header and field the SDK uses exists in the portal's current OpenAPI
document, with the shape the SDK declares: a change to the API breaks this test, not a pipeline."""

from __future__ import annotations

import copy
import types as pytypes
from typing import Any, Union, get_args, get_origin, get_type_hints, is_typeddict

import pytest
from portal_sdk import endpoints
from portal_sdk.endpoints import Endpoint


@pytest.fixture
def schema(client: Any, db: Any) -> dict[str, Any]:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow `$ref` and single-member `allOf` wrappers down to the object they name."""
    while True:
        if "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
        elif len(node.get("allOf", [])) == 1 and "properties" not in node:
            node = node["allOf"][0]
        else:
            return node


def _nullable(schema: dict[str, Any], node: dict[str, Any]) -> bool:
    return bool(node.get("nullable") or _resolve(schema, node).get("nullable"))


def _unwrap(hint: Any) -> tuple[Any, bool, bool]:
    """(the type inside, whether None is allowed, whether it is a list of it)."""
    allows_none = False
    if get_origin(hint) in (Union, pytypes.UnionType):
        members = [arg for arg in get_args(hint) if arg is not type(None)]
        allows_none = len(members) < len(get_args(hint))
        hint = members[0] if len(members) == 1 else hint
    if get_origin(hint) is list:
        return get_args(hint)[0], allows_none, True
    return hint, allows_none, False


def _check_body(
    schema: dict[str, Any], declared: Any, node: dict[str, Any], where: str, *, reading: bool
) -> list[str]:
    """Problems of a TypedDict against the schema object `node` (recursing into nested ones)."""
    component = _resolve(schema, node)
    properties, required = component.get("properties", {}), set(component.get("required", []))
    problems = []
    for name, hint in get_type_hints(declared).items():
        if name not in properties:
            problems.append(f"{where}.{name}: not in the schema")
            continue
        inner, allows_none, is_list = _unwrap(hint)
        if reading and name in declared.__required_keys__ and name not in required:
            problems.append(f"{where}.{name}: the schema does not promise it")
        if reading and _nullable(schema, properties[name]) and not allows_none:
            problems.append(f"{where}.{name}: may be null, the SDK says it never is")
        if is_typeddict(inner):
            prop = _resolve(schema, properties[name])
            child = prop["items"] if is_list else properties[name]
            problems += _check_body(schema, inner, child, f"{where}.{name}", reading=reading)
    if not reading:
        missing = required - declared.__required_keys__
        problems += [f"{where}.{name}: the schema requires it" for name in sorted(missing)]
    return problems


def _check_endpoint(schema: dict[str, Any], endpoint: Endpoint) -> list[str]:
    where = f"{endpoint.method} {endpoint.path}"
    operation = schema["paths"].get(endpoint.path, {}).get(endpoint.method.lower())
    if operation is None:
        return [f"{where}: no such operation"]
    parameters = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
    problems = [f"{where}: no query parameter {name}" for name in endpoint.query
                if ("query", name) not in parameters]  # fmt: skip
    problems += [f"{where}: no header {name}" for name in endpoint.headers
                 if ("header", name) not in parameters]  # fmt: skip
    if "{id}" in endpoint.path and ("path", "id") not in parameters:
        problems.append(f"{where}: no path parameter id")
    if endpoint.request is not None:
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is None:
            problems.append(f"{where}: takes no JSON body")
        else:
            problems += _check_body(schema, endpoint.request, body["schema"], where, reading=False)
    answer = operation["responses"].get(str(endpoint.status), {}).get("content", {})
    if endpoint.media_type not in answer:
        return [*problems, f"{where}: no {endpoint.status} {endpoint.media_type} response"]
    if endpoint.response is not None:
        node = answer[endpoint.media_type]["schema"]
        if endpoint.paginated:
            page = _resolve(schema, node)
            problems += [f"{where}: pages have no {key}" for key in ("count", "next", "results")
                         if key not in page.get("properties", {})]  # fmt: skip
            node = page["properties"]["results"]["items"]
        problems += _check_body(schema, endpoint.response, node, where, reading=True)
    return problems


def test_every_endpoint_the_sdk_calls_is_in_the_schema(schema: dict[str, Any]) -> None:
    problems = [
        problem for endpoint in endpoints.ALL for problem in _check_endpoint(schema, endpoint)
    ]
    assert problems == [], "\n".join(problems)


def test_the_release_states_the_sdk_reads_exist(schema: dict[str, Any]) -> None:
    status = schema["components"]["schemas"]["Release"]["properties"]["status"]
    assert set(endpoints.RELEASE_STATES_USED) <= set(_resolve(schema, status)["enum"])


def test_the_check_notices_drift(schema: dict[str, Any]) -> None:
    """A field, parameter or operation gone from the API is reported, with its place."""
    drifted = copy.deepcopy(schema)
    components = drifted["components"]["schemas"]
    del components["Release"]["properties"]["approved_at"]
    del components["ReleasePerson"]["properties"]["name"]
    components["ScenarioList"]["required"].remove("team")
    del drifted["paths"]["/api/v1/me/"]
    create = drifted["paths"]["/api/v1/releases/"]["post"]
    create["parameters"] = [p for p in create["parameters"] if p["name"] != "Idempotency-Key"]
    problems = [p for endpoint in endpoints.ALL for p in _check_endpoint(drifted, endpoint)]
    assert "GET /api/v1/releases/{id}/.approved_at: not in the schema" in problems
    assert "GET /api/v1/releases/{id}/.author.name: not in the schema" in problems
    assert "GET /api/v1/releases/{id}/.signoffs.actor.name: not in the schema" in problems
    assert "GET /api/v1/scenarios/.team: the schema does not promise it" in problems
    assert "GET /api/v1/me/: no such operation" in problems
    assert "POST /api/v1/releases/: no header Idempotency-Key" in problems


def test_every_release_option_of_the_cli_is_a_draft_field() -> None:
    from portal_sdk import cli
    from portal_sdk.types import ReleaseDraft

    options = {*cli.DRAFT_TEXT_FIELDS, *cli.DRAFT_DECIMAL_FIELDS, "model_name", "alias_name"}
    assert options == set(ReleaseDraft.__annotations__) - {"scenario"}
