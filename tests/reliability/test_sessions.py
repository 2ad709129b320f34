"""Session checks tests/core does not already make: a signed-out cookie is dead for the API too.

tests/core/test_auth.py covers the key rotating on sign-in, the cookie dying on sign-out for
pages, and a deactivated user being refused; here the same cookie is replayed against the API,
where the session is the other way in besides a token."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _signed_in() -> tuple[Client, Any]:
    user = UserFactory(username="session-user")
    client = Client()
    assert (
        client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    )
    return client, user


def test_signed_out_cookie_is_refused_by_the_api() -> None:
    client, _user = _signed_in()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/api/v1/me/").status_code == 200

    client.post("/logout/")

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert replay.get("/api/v1/me/").status_code in (401, 403)
    response = replay.post(
        "/api/v1/support-requests/",
        {"title": "After sign-out", "description": "x", "category": "other"},
        content_type="application/json",
    )
    assert response.status_code in (401, 403)


def test_cookie_from_before_sign_in_never_becomes_a_signed_in_session() -> None:
    """Session fixation: a cookie planted before sign-in stays anonymous afterwards."""
    victim = Client()
    victim.get("/login/")
    session = victim.session
    session["planted"] = True
    session.save()
    planted = victim.cookies[settings.SESSION_COOKIE_NAME].value
    user = UserFactory(username="fixation-victim")
    victim.post("/login/", {"username": user.username, "password": PASSWORD})

    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted
    assert attacker.get("/api/v1/me/").status_code in (401, 403)
    assert attacker.get("/")["Location"].startswith("/login/")
