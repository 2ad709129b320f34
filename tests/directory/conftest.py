"""A small company: two product teams, the platform team, and someone who has left."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from portal.core import roles
from tests.factories import UserFactory
from tests.scenarios.factories import ScenarioFactory


@pytest.fixture
def company(
    product_team: Any,
    other_team: Any,
    platform_team: Any,
    product_owner: Any,
    other_product_owner: Any,
    platform_reviewer: Any,
    outsider: Any,
) -> SimpleNamespace:
    product_owner.first_name, product_owner.last_name = "Priya", "Patel"
    product_owner.save(update_fields=["first_name", "last_name"])
    left = UserFactory(
        username="gone",
        first_name="Gus",
        last_name="Gone",
        is_active=False,
        roles=[roles.COST_OWNER],
        teams=[product_team],
    )
    ours = {"team": product_team, "product_owner": product_owner, "complete": False}
    live = ScenarioFactory(name="Support answers", status="onboarded", **ours)
    draft = ScenarioFactory(name="Secret draft", status="draft", **ours)
    ScenarioFactory(
        name="Invoice triage",
        team=other_team,
        product_owner=other_product_owner,
        status="onboarded",
        complete=False,
    )
    return SimpleNamespace(
        team=product_team,
        other=other_team,
        platform=platform_team,
        po=product_owner,
        other_po=other_product_owner,
        reviewer=platform_reviewer,
        outsider=outsider,
        left=left,
        live=live,
        draft=draft,
    )
