"""The colour theme switch: a POST that keeps the choice in a cookie and returns to the page."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.django_db
def test_choosing_a_theme_sets_the_cookie_and_the_page_follows(client: Any) -> None:
    back = "http://testserver/login/?next=/scenarios/"
    response = client.post("/theme/", {"theme": "dark"}, HTTP_REFERER=back)
    assert response.status_code == 302 and response["Location"] == back
    assert response.cookies["theme"].value == "dark"
    assert response.cookies["theme"]["samesite"] == "Lax"
    assert '<html lang="en-gb" data-theme="dark">' in client.get("/login/").content.decode()


@pytest.mark.django_db
def test_the_default_follows_the_system_setting(client: Any) -> None:
    assert '<html lang="en-gb">' in client.get("/login/").content.decode()
    client.cookies["theme"] = "purple"  # an unknown value reads as the default
    assert '<html lang="en-gb">' in client.get("/login/").content.decode()


@pytest.mark.django_db
def test_an_unknown_theme_or_a_foreign_address_changes_nothing(client: Any) -> None:
    response = client.post("/theme/", {"theme": "purple"}, HTTP_REFERER="https://evil.example/")
    assert response["Location"] == "/" and "theme" not in response.cookies
    assert client.get("/theme/").status_code == 405


@pytest.mark.django_db
def test_the_switch_needs_the_csrf_token(settings: Any) -> None:
    from django.test import Client

    assert Client(enforce_csrf_checks=True).post("/theme/", {"theme": "dark"}).status_code == 403
