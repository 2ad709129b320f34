"""The cast of an incident: a live scenario whose RACI names a distinct person in every role."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from portal.core import roles
from tests.factories import UserFactory
from tests.incidents.factories import IncidentFactory
from tests.releases.factories import ModelAliasFactory, ReleaseFactory
from tests.scenarios.factories import ScenarioFactory, ToolFactory


@pytest.fixture
def cast(
    product_team: Any,
    product_owner: Any,
    platform_owner: Any,
    platform_reviewer: Any,
    incident_owner: Any,
    quality_owner: Any,
    cost_owner: Any,
    outsider: Any,
    admin_user: Any,
) -> SimpleNamespace:
    prompt = UserFactory(username="prompt", roles=[roles.PRODUCT_OWNER], teams=[product_team])
    helper = UserFactory(username="helper", teams=[product_team])
    scenario = ScenarioFactory(
        name="Support answers",
        status="onboarded",
        team=product_team,
        product_owner=product_owner,
        platform_owner=platform_owner,
        prompt_owner=prompt,
        incident_owner=incident_owner,
        quality_owner=quality_owner,
        cost_owner=cost_owner,
        escalation=[platform_owner, platform_reviewer],
    )
    return SimpleNamespace(
        scenario=scenario,
        product=product_owner,
        prompt=prompt,
        platform_owner=platform_owner,
        platform=platform_reviewer,
        incident_owner=incident_owner,
        quality=quality_owner,
        helper=helper,
        outsider=outsider,
        admin=admin_user,
    )


@pytest.fixture
def incident(cast: SimpleNamespace) -> Any:
    return IncidentFactory(scenario=cast.scenario, opened_by=cast.product)


@pytest.fixture
def live_pair(cast: SimpleNamespace) -> SimpleNamespace:
    """Two releases on one alias: `old` superseded, `live` released on top of it."""
    name = "support-answers-chat"
    old = ReleaseFactory(scenario=cast.scenario, status="superseded", alias_name=name)
    live = ReleaseFactory(
        scenario=cast.scenario, status="released", alias_name=name, previous_release=old
    )
    alias = ModelAliasFactory(name=name, scenario=cast.scenario, current_release=live)
    tool = ToolFactory(name="order-lookup")
    cast.scenario.allowed_tools.add(tool)
    return SimpleNamespace(old=old, live=live, alias=alias, tool=tool)
