"""A release that waits for sign-off, an admin, a loopback receiver allowed by the SSRF guard."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from tests.integrations.receiver import Received, http_receiver
from tests.releases.factories import ReleaseFactory
from tests.scenarios.factories import ScenarioFactory


@pytest.fixture
def loopback_allowed(settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]


@pytest.fixture
def received() -> Received:
    return Received()


@pytest.fixture
def receiver(received: Received, loopback_allowed: None) -> Iterator[str]:
    with http_receiver(received) as url:
        yield url


@pytest.fixture
def cast(
    product_team: Any, product_owner: Any, platform_owner: Any, quality_owner: Any,
    cost_owner: Any, incident_owner: Any, admin_user: Any,
) -> SimpleNamespace:  # fmt: skip
    scenario = ScenarioFactory(
        name="Support answers", status="onboarded", team=product_team,
        product_owner=product_owner, platform_owner=platform_owner, quality_owner=quality_owner,
        cost_owner=cost_owner, incident_owner=incident_owner,
    )  # fmt: skip
    return SimpleNamespace(
        scenario=scenario, team=product_team, admin=admin_user, product_owner=product_owner,
        quality_owner=quality_owner, cost_owner=cost_owner,
    )  # fmt: skip


@pytest.fixture
def draft(cast: SimpleNamespace) -> Any:
    return ReleaseFactory(scenario=cast.scenario, status="draft", alias_name="support-chat")
