"""Release fixtures: one onboarded scenario with every owner named, and its team's author."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import UserFactory
from tests.releases.factories import ReleaseFactory
from tests.scenarios.factories import ScenarioFactory

ALIAS = "support-chat"


@pytest.fixture
def author(product_team: Any) -> Any:
    """A member of the scenario's team who is named for no sign-off."""
    return UserFactory(username="author", teams=[product_team])


@pytest.fixture
def scenario(
    product_team: Any,
    product_owner: Any,
    platform_owner: Any,
    quality_owner: Any,
    cost_owner: Any,
    incident_owner: Any,
) -> Any:
    return ScenarioFactory(
        name="Support answers",
        status="onboarded",
        team=product_team,
        product_owner=product_owner,
        platform_owner=platform_owner,
        quality_owner=quality_owner,
        cost_owner=cost_owner,
        incident_owner=incident_owner,
    )


@pytest.fixture
def make_release(scenario: Any, author: Any) -> Any:
    def make(status: str = "draft", **kwargs: Any) -> Any:
        kwargs.setdefault("scenario", scenario)
        kwargs.setdefault("author", author)
        kwargs.setdefault("alias_name", ALIAS)
        return ReleaseFactory(status=status, **kwargs)

    return make
