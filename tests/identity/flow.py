"""The browser's part of the authorization code flow: the portal's pages through Django's test
client, the provider's over real HTTP with requests."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urljoin, urlparse

import requests
from django.test import Client

from tests.identity.provider_server import IdentityProvider

PASSWORD = "provider-password-1"


def person(username: str, *groups: str) -> str:
    return f"{username}:{PASSWORD}:{username}@example.com:{','.join(groups)}"


def authorize(client: Client, provider: IdentityProvider, username: str, start_at: str = "") -> str:
    """Start at the portal, sign in at the provider; returns the callback URL it sends back."""
    start = client.get(start_at or "/oidc/authenticate/")
    assert start.status_code == 302, start.content
    browser = requests.Session()
    to_login = browser.get(start["Location"], allow_redirects=False)
    login_url = urljoin(start["Location"], to_login.headers["Location"])
    browser.get(login_url).raise_for_status()
    posted = browser.post(
        login_url,
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookies["idp_csrftoken"],
            "next": parse_qs(urlparse(login_url).query)["next"][0],
        },
        allow_redirects=False,
    )
    assert posted.status_code == 302, posted.text
    authorized = browser.get(urljoin(login_url, posted.headers["Location"]), allow_redirects=False)
    assert authorized.status_code == 302, authorized.text
    callback = authorized.headers["Location"]
    assert callback.startswith("http://testserver/oidc/callback/?"), callback
    return callback


def sign_in(client: Client, provider: IdentityProvider, username: str) -> Any:
    """The whole flow; returns the portal's answer to the callback."""
    return client.get(authorize(client, provider, username))


def signed_in_as(client: Client) -> str | None:
    response = client.get("/profile/")
    return response.context["user"].username if response.status_code == 200 else None
