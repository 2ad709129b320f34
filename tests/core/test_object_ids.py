"""An address whose object id is not a whole number answers as a missing object does (404, or
the form's 400 where a POST is validated first), on every route that takes an id; never a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

BAD_IDS = ["abc", "1.5", "-1", "1e3", "99999999999999999999"]


def _patterns(resolver: Any = None, prefix: str = "") -> list[str]:
    """Every route of the URLconf as a string, its parameters left as written."""
    found: list[str] = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found.extend(_patterns(entry, route))
        elif isinstance(entry, URLPattern):
            found.append(route)
    return found


def _with_id(route: str, value: str) -> str | None:
    """The route with its object id replaced by `value`; None when it takes no id."""
    route = route.replace("^", "").replace("$", "").replace("\\.", ".")
    if route.startswith("admin/") or "<format>" in route or "(?P<format>" in route:
        return None
    id_pattern = r"\(\?P<pk>[^)]*\)|<int:pk>|<pk>"
    if not re.search(id_pattern, route):
        return None
    url = re.sub(id_pattern, value, route, count=1)
    return "/" + re.sub(r"<slug:kind>", "quality", url)


def test_every_route_with_an_id_answers_a_non_integer_id_as_a_missing_one(
    admin_user: Any,
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    routes = [route for route in _patterns() if _with_id(route, "1")]
    assert any(str(_with_id(route, "1")).startswith("/api/v1/incidents/") for route in routes)
    wrong = []
    for route in routes:
        for method in ("get", "post"):
            missing = getattr(client, method)(_with_id(route, "987654")).status_code
            for value in BAD_IDS:
                url = _with_id(route, value)
                status = getattr(client, method)(url).status_code
                if status not in (404, missing) or status >= 500:
                    wrong.append(f"{method.upper()} {url}: {status}, missing id: {missing}")
    assert wrong == [], "\n".join(wrong)


def test_api_404_for_a_text_id_is_json(admin_user: Any) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    response = client.get("/api/v1/incidents/abc/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
