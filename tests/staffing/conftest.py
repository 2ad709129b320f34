"""Profiles and onboardings for the staffing tests."""

from __future__ import annotations

from typing import Any

import pytest

from staffing import services

EVAL = {"area": "evaluation", "level": 3, "name": "Offline eval design"}
DEVEX = {"area": "devex", "level": 2, "name": "SDK and golden paths"}
PLATFORM = {"area": "platform", "level": 4, "name": "Gateway operations"}


@pytest.fixture
def draft_profile(platform_reviewer: Any) -> Any:
    return services.profile_create(
        actor=platform_reviewer, role="ai_platform_engineer", title="AI platform engineer",
        summary="Runs the gateway.", skills=[PLATFORM, EVAL, DEVEX],
    )  # fmt: skip


@pytest.fixture
def published_profile(draft_profile: Any, platform_reviewer: Any) -> Any:
    return services.profile_publish(draft_profile.pk, actor=platform_reviewer)


@pytest.fixture
def onboarding(product_team: Any, platform_reviewer: Any, product_owner: Any) -> Any:
    return services.onboarding_request(
        actor=platform_reviewer, team=product_team, onboarding_owner=platform_reviewer
    )
