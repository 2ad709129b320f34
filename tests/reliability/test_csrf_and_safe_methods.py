"""CSRF on every unsafe route, and no GET that writes.

A signed-in browser session must not be usable by another site: every route of the resolver
refuses an unsafe method without the CSRF token, and so does every unsafe API operation of the
schema when the caller is authenticated by the session cookie. And reading never changes data:
each HTML page and API read, called with real ids, runs no INSERT, UPDATE or DELETE beyond the
session's own bookkeeping."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.reliability.test_authorization_matrix import (
    API_TABLE,
    HTML_TABLE,
    api_url,
    html_url,
    resolver_routes,
    schema_operations,
)
from tests.reliability.world import World, build

pytestmark = pytest.mark.django_db

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
# Signing in and keeping the session alive are the only writes a read may cause.
BOOKKEEPING = re.compile(r'"django_session"|"last_login"', re.IGNORECASE)
# Called by Slack, not by a browser: no session counts there, Slack's signature does instead
# (tests/integrations/test_slack.py refuses unsigned, replayed and forged requests).
SIGNED_BY_CALLER = {"integrations:slack_interactions"}
# SCIM takes the identity provider's bearer token and never a session: a signed-in browser
# gets 401 there, with or without a CSRF token (tests/identity tests the token itself).
BEARER_ONLY = "scim:"


@pytest.fixture
def world() -> World:
    return build()


def _csrf_client(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _sample_urls(world: World) -> dict[str, str]:
    """One URL per resolver route, with a real object id where the route takes one."""
    urls = {}
    for entry in HTML_TABLE:
        urls.setdefault(entry.route, html_url(world, entry))
    return urls


def _refused_for_csrf(response: Any) -> bool:
    body = response.content.decode(errors="replace")
    return response.status_code == 403 and "CSRF" in body


def test_every_html_route_refuses_unsafe_methods_without_a_token(world: World) -> None:
    urls = _sample_urls(world)
    assert set(urls) == set(resolver_routes())
    client = _csrf_client(world.people["admin"])
    accepted = []
    for name, url in sorted(urls.items()):
        if name in SIGNED_BY_CALLER:
            continue
        for method in UNSAFE:
            response = getattr(client, method.lower())(url, {})
            if name.startswith(BEARER_ONLY):
                if response.status_code != 401:
                    accepted.append(f"{method} {url} ({name}): {response.status_code}")
            elif not _refused_for_csrf(response):
                accepted.append(f"{method} {url} ({name}): {response.status_code}")
    assert accepted == [], "\n".join(accepted)


def test_every_unsafe_api_operation_refuses_a_session_without_a_token(world: World) -> None:
    rows = [entry for entry in API_TABLE if entry.method in UNSAFE]
    assert {(e.method, e.route) for e in rows} == {
        op for op in schema_operations() if op[0] in UNSAFE
    }
    client = _csrf_client(world.people["admin"])
    accepted = []
    for entry in rows:
        url = api_url(world, entry)
        data = entry.data(world) if entry.data else {}
        response = getattr(client, entry.method.lower())(url, data, content_type="application/json")
        if not _refused_for_csrf(response):
            accepted.append(f"{entry.method} {url}: {response.status_code}")
    assert accepted == [], "\n".join(accepted)


def test_the_token_makes_the_same_post_go_through(world: World) -> None:
    """The control for the two tests above: with the token, CSRF is not what stops a post."""
    client = _csrf_client(world.people["team_po"])
    page = client.get(reverse("support:new"))
    token = page.context["csrf_token"]
    response = client.post(
        reverse("support:new"),
        {
            "title": "With a token",
            "category": "other",
            "description": "Fine.",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302


def _writes(queries: list[dict[str, Any]]) -> list[str]:
    return [
        q["sql"][:160]
        for q in queries
        if WRITE.match(q["sql"]) and not BOOKKEEPING.search(q["sql"])
    ]


@pytest.mark.parametrize("role", ["admin", "team_po", "outsider"])
def test_no_get_changes_data(world: World, role: str) -> None:
    """Every page and API read for people who see different things: nothing is written."""
    client = Client()
    client.force_login(world.people[role])
    urls = sorted(set(_sample_urls(world).values()))
    urls += sorted({api_url(world, e) for e in API_TABLE if e.method == "GET"})
    found = []
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code < 500, url
        found += [f"GET {url}: {sql}" for sql in _writes(captured.captured_queries)]
    assert found == [], "\n".join(found)
