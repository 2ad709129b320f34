"""The base layout, error pages and the admin for people and teams."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.test import Client
from django.urls import include, path

from portal.urls import handler403, handler404, handler500  # noqa: F401  used by this urlconf


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("Only the scenario's quality owner may sign off.")


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


def flash(request: HttpRequest) -> HttpResponse:
    messages.success(request, "Scenario submitted for review.")
    messages.error(request, "This release is already approved.")
    return redirect("home")


urlpatterns = [
    path("", include("portal.core.urls")),
    path("forbidden/", forbidden),
    path("broken/", broken),
    path("flash/", flash),
]

NAV = ["Scenarios", "Releases", "Incidents", "Exceptions", "Dashboard"]


@pytest.mark.django_db
class TestLayout:
    def test_navigation_user_menu_and_styles(self, client: Client, product_owner: Any) -> None:
        client.force_login(product_owner)
        html = client.get("/").content.decode()
        for label in NAV:
            assert f">{label}</a>" in html
        assert ">Admin</a>" not in html
        assert "product owner" in html  # the user's roles in the user menu
        assert 'href="/profile/"' in html
        assert "/static/css/portal.css" in html
        assert "/static/vendor/pico/pico.min.css" in html
        assert "https://" not in html.split("<body")[0]  # nothing from a CDN

    def test_admins_see_the_admin_link(self, client: Client, admin_user: Any) -> None:
        client.force_login(admin_user)
        assert '<a href="/admin/">Admin</a>' in client.get("/").content.decode()

    @pytest.mark.urls(__name__)
    def test_flash_messages_are_shown_once(self, client: Client, outsider: Any) -> None:
        client.force_login(outsider)
        html = client.get("/flash/", follow=True).content.decode()
        assert 'role="status">Scenario submitted for review.' in html
        assert 'role="alert">This release is already approved.' in html
        assert "Scenario submitted" not in client.get("/").content.decode()


@pytest.mark.django_db
@pytest.mark.urls(__name__)
class TestErrorPages:
    def test_403_page_says_why(self, client: Client, outsider: Any) -> None:
        client.force_login(outsider)
        response = client.get("/forbidden/")
        assert response.status_code == 403
        html = response.content.decode()
        assert "Only the scenario&#x27;s quality owner may sign off." in html
        assert "Sign out" in html

    def test_404_page(self, client: Client, outsider: Any) -> None:
        client.force_login(outsider)
        response = client.get("/nowhere/")
        assert response.status_code == 404
        assert "There is nothing at this address" in response.content.decode()

    def test_500_page_is_plain_and_self_contained(self, outsider: Any) -> None:
        client = Client(raise_request_exception=False)
        client.force_login(outsider)
        response = client.get("/broken/")
        assert response.status_code == 500
        html = response.content.decode()
        assert "Something went wrong" in html
        assert "{%" not in html


@pytest.mark.django_db
def test_admin_manages_people_and_teams(client: Client, admin_user: Any, product_team: Any) -> None:
    client.force_login(admin_user)
    for url in (
        "/admin/core/user/",
        f"/admin/core/user/{admin_user.pk}/change/",
        "/admin/core/team/",
        f"/admin/core/team/{product_team.pk}/change/",
        "/admin/core/team/add/",
        "/admin/auth/group/",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_healthz_is_public(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_request_id_is_echoed_or_made(client: Client) -> None:
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    made = client.get("/healthz", HTTP_X_REQUEST_ID="bad id; drop table")["X-Request-ID"]
    assert len(made) == 32 and made.isalnum()


@pytest.mark.django_db
def test_current_section_is_the_longest_matching_prefix(outsider: Any) -> None:
    from django.test import RequestFactory

    from portal.core.context_processors import portal

    request = RequestFactory().get("/exceptions/7/")
    request.user = outsider
    assert portal(request)["nav_current"] == "/exceptions/"
    request = RequestFactory().get("/scenarios/7/")
    request.user = outsider
    assert portal(request)["nav_current"] == "/scenarios/"
    request = RequestFactory().get("/")
    request.user = outsider
    assert portal(request)["nav_current"] == ""


@pytest.mark.django_db
def test_user_page_edits_team_memberships(
    client: Client, admin_user: Any, outsider: Any, product_team: Any
) -> None:
    client.force_login(admin_user)
    html = client.get(f"/admin/core/user/{outsider.pk}/change/").content.decode()
    assert "TOTAL_FORMS" in html and "team membership" in html.lower()
