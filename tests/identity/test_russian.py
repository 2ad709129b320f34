"""Signing in, in Russian: why a password or the provider was refused is said in Russian."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from identity import config
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    """A Russian request leaves Russian active in the thread; the next test starts in English."""
    yield
    translation.deactivate()


@pytest.fixture
def unreachable_provider(settings: Any) -> Iterator[Any]:
    """A provider configured at an address where nothing answers."""
    settings.OIDC_ISSUER = "http://127.0.0.1:19999/o"
    settings.OIDC_RP_CLIENT_ID = "portal"
    config.forget()
    yield settings
    config.forget()


def test_password_sign_in_switched_off_in_russian(
    client: Client, unreachable_provider: Any, outsider: Any
) -> None:
    unreachable_provider.PASSWORD_LOGIN = False
    response = client.post("/login/", {"username": outsider.username, "password": PASSWORD}, **RU)
    assert response.status_code == 403
    assert "Вход по паролю отключён. Войдите через провайдера идентификации." in (
        response.content.decode()
    )


def test_unreachable_provider_in_russian(client: Client, unreachable_provider: Any) -> None:
    response = client.get("/oidc/authenticate/", **RU)
    assert response.status_code == 502
    assert "Провайдер идентификации сейчас недоступен. Попробуйте чуть позже." in (
        response.content.decode()
    )
