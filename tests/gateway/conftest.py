"""Gateway fixtures: the release fixtures' scenario, a real LiteLLM proxy, connectors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gateway.models import GatewayConnector
from tests.conftest import _missing
from tests.gateway.litellm_server import MASTER_KEY, litellm_proxy
from tests.integrations import conftest as integration_fixtures
from tests.releases import conftest as release_fixtures

# The release fixtures' scenario and releases, the integrations' loopback receiver.
author = release_fixtures.author
scenario = release_fixtures.scenario
make_release = release_fixtures.make_release
loopback_allowed = integration_fixtures.loopback_allowed
received = integration_fixtures.received
receiver = integration_fixtures.receiver
KEY_ENV = "PORTAL_TEST_LITELLM_KEY"


@pytest.fixture(scope="session")
def litellm_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    try:
        with litellm_proxy(tmp_path_factory.mktemp("litellm")) as url:
            yield url
    except RuntimeError as exc:
        _missing("LiteLLM proxy", str(exc))


@pytest.fixture
def litellm_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(KEY_ENV, MASTER_KEY)
    return KEY_ENV


@pytest.fixture
def generic(db: Any) -> GatewayConnector:
    return GatewayConnector.objects.create(name="gitops", kind="generic")


@pytest.fixture
def litellm(litellm_url: str, litellm_key: str) -> GatewayConnector:
    return GatewayConnector.objects.create(
        name="litellm", kind="litellm", base_url=litellm_url, secret_env=litellm_key
    )


@pytest.fixture
def released(
    make_release: Any, platform_owner: Any, django_capture_on_commit_callbacks: Any
) -> Any:
    """Release one rolling-out release with the on-commit work (gateway moves) run."""

    def release(**kwargs: Any) -> Any:
        from releases import services

        rel = make_release("rolling_out", **kwargs)
        with django_capture_on_commit_callbacks(execute=True):
            services.release_release(rel.pk, actor=platform_owner)
        rel.refresh_from_db()
        return rel

    return release
