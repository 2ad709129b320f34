"""PASSWORD_LOGIN=false: with OpenID Connect configured the sign-in page offers only the
provider's button, and a password is refused everywhere it used to be accepted."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def oidc(settings: Any) -> Any:
    # Configured only: these pages never reach the provider.
    settings.OIDC_ISSUER = "http://127.0.0.1:19999/o"
    settings.OIDC_RP_CLIENT_ID = "portal"
    settings.OIDC_PROVIDER_NAME = "Okta"
    return settings


def test_by_default_the_page_offers_the_password_form_only(client: Client) -> None:
    html = client.get("/login/").content.decode()
    assert 'id="id_password"' in html
    assert "oidc-sign-in" not in html


def test_with_a_provider_both_ways_are_offered(client: Client, oidc: Any) -> None:
    html = client.get("/login/?next=/releases/").content.decode()
    assert 'href="/oidc/authenticate/?next=/releases/"' in html
    assert "Sign in with Okta" in html
    assert 'id="id_password"' in html


def test_password_login_off_offers_only_the_provider(
    client: Client, oidc: Any, outsider: Any
) -> None:
    oidc.PASSWORD_LOGIN = False
    html = client.get("/login/").content.decode()
    assert "Sign in with Okta" in html
    assert (
        'id="id_password"' not in html and "<form" not in html.split("<main")[1].split("</main>")[0]
    )

    response = client.post("/login/", {"username": outsider.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "Password sign-in is switched off" in response.content.decode()
    assert client.get("/").status_code == 302  # still signed out


def test_password_login_off_closes_the_admin_and_the_token_exchange(
    client: Client, oidc: Any, admin_user: Any
) -> None:
    oidc.PASSWORD_LOGIN = False
    client.post("/admin/login/", {"username": admin_user.username, "password": PASSWORD})
    assert client.get("/admin/").status_code == 302
    response = client.post(
        "/api/v1/tokens/",
        {"name": "ci"},
        HTTP_AUTHORIZATION=_basic(admin_user.username, PASSWORD),
        content_type="application/json",
    )
    assert response.status_code == 401


def test_password_login_off_without_a_provider_keeps_passwords(
    client: Client, settings: Any, outsider: Any
) -> None:
    settings.PASSWORD_LOGIN = False
    settings.OIDC_ISSUER = ""
    response = client.post("/login/", {"username": outsider.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def _basic(username: str, password: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
