"""Fixtures and helpers of the scenario intake and review tests (import them where used)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from portal.core import roles
from scenarios import checklist, services
from tests.factories import UserFactory
from tests.scenarios.factories import ScenarioFactory

ALL_PASS = {key: {"passed": True, "note": ""} for key in checklist.ITEM_KEYS}
STATES = (
    "draft", "submitted", "in_review", "changes_requested", "approved", "rejected", "onboarded",
    "retired",
)  # fmt: skip
SOURCES = {
    "submit": {"draft", "changes_requested"},
    "start_review": {"submitted"},
    "approve": {"in_review"},
    "request_changes": {"in_review"},
    "reject": {"in_review"},
    "onboard": {"approved"},
    "retire": {"onboarded"},
}
TARGETS = {
    "submit": "submitted",
    "start_review": "in_review",
    "approve": "approved",
    "request_changes": "changes_requested",
    "reject": "rejected",
    "onboard": "onboarded",
    "retire": "retired",
}
# Who may perform each transition (when the state allows it). "submitter" is a person who is
# both a product owner of the team and a platform reviewer, and submitted the scenario.
ALLOWED = {
    "submit": {"team_po", "submitter"},
    "start_review": {"reviewer"},
    "approve": {"reviewer"},
    "request_changes": {"reviewer"},
    "reject": {"reviewer"},
    "onboard": {"reviewer", "platform_owner", "submitter"},
    "retire": {"reviewer", "platform_owner", "submitter", "team_po"},
}
PERSONAS = (
    "team_po", "other_po", "reviewer", "platform_owner", "submitter", "admin", "outsider",
    "anonymous",
)  # fmt: skip


def run(transition: str, actor: Any, pk: int, **extra: Any) -> Any:
    """Perform a transition through its service with valid input."""
    if transition in ("approve", "request_changes", "reject"):
        return services.scenario_decide(
            actor=actor,
            pk=pk,
            decision=transition,
            comment="Reviewed against the checklist.",
            answers=ALL_PASS,
            **extra,
        )
    service: Callable[..., Any] = getattr(services, f"scenario_{transition}")
    return service(actor=actor, pk=pk, **extra)


@pytest.fixture
def submitter(product_team: Any, platform_team: Any) -> Any:
    """A product owner of the team who is also a platform reviewer, and submits."""
    return UserFactory(
        username="po-reviewer",
        roles=[roles.PRODUCT_OWNER, roles.PLATFORM_REVIEWER],
        teams=[product_team, platform_team],
    )


@pytest.fixture
def people(
    product_owner: Any,
    other_product_owner: Any,
    platform_reviewer: Any,
    platform_owner: Any,
    submitter: Any,
    admin_user: Any,
    outsider: Any,
) -> dict[str, Any]:
    from django.contrib.auth.models import AnonymousUser

    return {
        "team_po": product_owner,
        "other_po": other_product_owner,
        "reviewer": platform_reviewer,
        "platform_owner": platform_owner,
        "submitter": submitter,
        "admin": admin_user,
        "outsider": outsider,
        "anonymous": AnonymousUser(),
    }


@pytest.fixture
def make_scenario(
    product_team: Any,
    product_owner: Any,
    platform_owner: Any,
    quality_owner: Any,
    cost_owner: Any,
    incident_owner: Any,
    submitter: Any,
) -> Callable[..., Any]:
    """A complete scenario of the product team in any state, submitted by `submitter`."""

    def make(status: str = "draft", **kwargs: Any) -> Any:
        defaults: dict[str, Any] = {
            "team": product_team,
            "product_owner": product_owner,
            "platform_owner": platform_owner,
            "quality_owner": quality_owner,
            "cost_owner": cost_owner,
            "incident_owner": incident_owner,
            "created_by": product_owner,
        }
        if status != "draft":
            defaults["submitted_by"] = submitter
        defaults.update(kwargs)
        return ScenarioFactory(status=status, **defaults)

    return make
