"""The real OpenID Connect provider the sign-in tests talk to (see provider_server.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from identity import config
from tests.identity.provider_server import CLIENT_ID, CLIENT_SECRET, IdentityProvider


@pytest.fixture(scope="session")
def identity_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdentityProvider]:
    server = IdentityProvider(tmp_path_factory.mktemp("identity-provider"))
    try:
        server.start()
    except RuntimeError as exc:
        # Pure Python: a provider that cannot start is a failure, never a skip.
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def provider(identity_provider: IdentityProvider, settings: Any) -> Iterator[IdentityProvider]:
    """The provider, with the portal configured to sign in through it."""
    settings.OIDC_ISSUER = identity_provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Test IdP"
    config.forget()
    identity_provider.behave()
    yield identity_provider
    identity_provider.behave()
    config.forget()
