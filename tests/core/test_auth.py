"""Signing in and out; every page but the login page needs a signed-in, active user."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from portal.core import demo
from tests.factories import PASSWORD

# Pages anyone may open: the login page itself, the health checks, the two steps of signing
# in through the identity provider, SCIM, which takes a bearer token instead of a session
# (tests/identity), and Slack's interaction endpoint, which no browser signs in to: Slack signs
# each request instead.
PUBLIC = {"/login/", "/healthz", "/readyz", "/oidc/authenticate/", "/oidc/callback/",
          "/scim/v2/", "/scim/v2/ServiceProviderConfig",
          "/integrations/slack/interactions/",
          "/theme/", "/language/"}  # fmt: skip


@pytest.fixture
def demo_people(db: Any) -> dict[str, Any]:
    people: dict[str, Any] = {}
    demo.load(people)
    return people


def sign_in(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post("/login/", {"username": username, "password": password})


@pytest.mark.django_db
class TestLogin:
    def test_login_page_has_labelled_fields(self, client: Client) -> None:
        response = client.get("/login/")
        assert response.status_code == 200
        html = response.content.decode()
        for field in ("username", "password"):
            assert re.search(rf'<label for="id_{field}">\w+</label>', html)
            assert f'id="id_{field}"' in html
        assert '<button type="submit">Sign in</button>' in html

    def test_demo_user_signs_in_and_sees_home(
        self, client: Client, demo_people: dict[str, Any]
    ) -> None:
        response = sign_in(client, "product", demo.DEMO_PASSWORD)
        assert response.status_code == 302
        assert response["Location"] == "/"
        home = client.get("/")
        assert home.status_code == 200
        assert "Priya Patel" in home.content.decode()

    def test_wrong_password_is_refused(self, client: Client, outsider: Any) -> None:
        response = sign_in(client, outsider.username, "not-the-password")
        assert response.status_code == 200
        assert "did not match" in response.content.decode()
        assert client.get("/").status_code == 302

    def test_next_parameter_is_honoured(self, client: Client, outsider: Any) -> None:
        response = client.post(
            "/login/", {"username": outsider.username, "password": PASSWORD, "next": "/admin/"}
        )
        assert response["Location"] == "/admin/"

    def test_session_key_rotates_on_login(self, client: Client, outsider: Any) -> None:
        session = client.session
        session["seen"] = True
        session.save()
        before = client.cookies[settings.SESSION_COOKIE_NAME].value

        sign_in(client, outsider.username)

        after = client.cookies[settings.SESSION_COOKIE_NAME].value
        assert after != before
        assert not Session.objects.filter(session_key=before).exists()

    def test_inactive_user_cannot_sign_in(self, client: Client, inactive_user: Any) -> None:
        response = sign_in(client, inactive_user.username)
        assert response.status_code == 200
        assert client.get("/").status_code == 302


@pytest.mark.django_db
class TestLogout:
    def test_logout_needs_post(self, client: Client, outsider: Any) -> None:
        client.force_login(outsider)
        assert client.get("/logout/").status_code == 405
        assert client.get("/").status_code == 200

    def test_logout_kills_the_session_and_the_old_cookie(
        self, client: Client, outsider: Any
    ) -> None:
        sign_in(client, outsider.username)
        old_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        assert client.get("/").status_code == 200

        response = client.post("/logout/")

        assert response.status_code == 302
        assert response["Location"] == "/login/"
        assert client.get("/").status_code == 302
        assert not Session.objects.filter(session_key=old_cookie).exists()
        replay = Client()
        replay.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
        assert replay.get("/").status_code == 302

    def test_sign_out_button_is_on_every_page(self, client: Client, outsider: Any) -> None:
        client.force_login(outsider)
        html = client.get("/").content.decode()
        assert 'action="/logout/"' in html
        assert "Sign out" in html


@pytest.mark.django_db
def test_deactivated_user_is_refused_on_next_request(client: Client, outsider: Any) -> None:
    sign_in(client, outsider.username)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/").status_code == 200

    outsider.is_active = False
    outsider.save(update_fields=["is_active"])

    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not Session.objects.filter(session_key=cookie).exists()
    assert client.get("/api/v1/me/").status_code in (401, 403)

    # Reactivating the account does not bring the old session back.
    outsider.is_active = True
    outsider.save(update_fields=["is_active"])
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert replay.get("/").status_code == 302


def _html_paths() -> list[str]:
    """Every HTML route with placeholder arguments: the login check runs before the view."""
    samples = {"int": "1", "slug": "x", "str": "x", "uuid": "00000000-0000-0000-0000-000000000000"}
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern):
                path = re.sub(
                    r"<(?:(\w+):)?\w+>", lambda m: samples.get(m.group(1) or "str", "x"), route
                )
                found.append("/" + path.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    skipped = ("/api/", "/admin/", "/static/", "/__")
    return sorted({p for p in found if not p.startswith(skipped) and "(" not in p})


@pytest.mark.django_db
def test_every_page_but_login_requires_sign_in(client: Client) -> None:
    paths = _html_paths()
    assert {"/", "/login/", "/profile/"} <= set(paths)
    open_pages = []
    for path in paths:
        if path in PUBLIC:
            continue
        response = client.get(path)
        if not (response.status_code == 302 and response["Location"].startswith("/login/?next=")):
            open_pages.append((path, response.status_code))
    assert open_pages == []
    assert client.get("/login/").status_code == 200
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_error_pages_use_the_layout(client: Client, outsider: Any) -> None:
    client.force_login(outsider)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Not found" in html
    assert "Sign out" in html


@pytest.mark.django_db
def test_session_expires_after_the_idle_timeout(outsider: Any) -> None:
    """In the cache and in the database alike (renewal: tests/core/test_session_cache.py)."""
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        client = Client()
        client.force_login(outsider)
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(hours=8, seconds=1))
        assert client.get("/").status_code == 302
