"""Signing out of the portal signs out of the identity provider too (RP-initiated logout),
against the real provider the sign-in tests start."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.test import Client

from identity import config
from tests.factories import UserFactory
from tests.identity.flow import person, sign_in, signed_in_as
from tests.identity.provider_server import CLIENT_ID

pytestmark = pytest.mark.django_db


def test_signing_out_goes_on_to_the_provider_and_back(provider: Any) -> None:
    provider.seed(person("alice"))
    client = Client()
    sign_in(client, provider, "alice")
    assert signed_in_as(client) == "alice"
    id_token = client.session["oidc_id_token"]

    response = client.post("/logout/")

    assert signed_in_as(client) is None
    assert response.status_code == 302
    location = urlparse(response["Location"])
    end_session = config.provider().end_session_endpoint
    assert end_session and response["Location"].startswith(end_session + "?")
    query = parse_qs(location.query)
    assert query == {
        "id_token_hint": [id_token],
        "post_logout_redirect_uri": ["http://testserver/login/"],
        "client_id": [CLIENT_ID],
    }
    # The provider accepts the hint and sends the browser back to the portal's sign-in page.
    back = requests.get(response["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text
    assert back.headers["Location"] == "http://testserver/login/"


def test_a_password_session_signs_out_of_the_portal_only(provider: Any) -> None:
    client = Client()
    client.force_login(UserFactory(username="local"))
    response = client.post("/logout/")
    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert signed_in_as(client) is None


def test_without_a_provider_signing_out_stays_in_the_portal(settings: Any) -> None:
    settings.OIDC_ISSUER = ""
    config.forget()
    client = Client()
    client.force_login(UserFactory(username="local"))
    session = client.session
    session["oidc_id_token"] = "left-over"
    session.save()
    response = client.post("/logout/")
    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert signed_in_as(client) is None
