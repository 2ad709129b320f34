"""Fixtures and helpers of the amendment tests (import them where used)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from portal.core import roles
from scenarios.amendments import services
from scenarios.models import Amendment
from tests.factories import UserFactory

AMENDMENT_STATES = (
    "draft", "submitted", "changes_requested", "applied", "rejected", "withdrawn",
)  # fmt: skip
AMENDMENT_SOURCES = {
    "submit": {"draft", "changes_requested"},
    "approve": {"submitted"},
    "request_changes": {"submitted"},
    "reject": {"submitted"},
    "withdraw": {"draft", "submitted", "changes_requested"},
}
AMENDMENT_TARGETS = {
    "submit": "submitted",
    "approve": "applied",
    "request_changes": "changes_requested",
    "reject": "rejected",
    "withdraw": "withdrawn",
}
# The amendments below are requested (and submitted) by "team_po". "submitter" is a product
# owner of the team who is also a platform reviewer, named in no role: they may review it.
AMENDMENT_ALLOWED = {
    "submit": {"team_po", "reviewer", "platform_owner", "submitter"},
    "withdraw": {"team_po", "reviewer", "platform_owner", "submitter"},
    "approve": {"reviewer", "submitter"},
    "request_changes": {"reviewer", "submitter"},
    "reject": {"reviewer", "submitter"},
}
# Audit rows a transition leaves on the amendment: approval also applies it.
AMENDMENT_ROWS = {"approve": ["approve", "apply"]}


def run_amendment(transition: str, actor: Any, pk: int, **extra: Any) -> Any:
    """Perform an amendment transition through its service with valid input."""
    extra.setdefault("comment", "Checked the diff and the checklist.")
    return getattr(services, f"amendment_{transition}")(pk, actor=actor, **extra)


@pytest.fixture
def new_cost_owner(product_team: Any) -> Any:
    return UserFactory(username="new-cost", roles=[roles.COST_OWNER], teams=[product_team])


@pytest.fixture
def make_amendment(
    make_scenario: Callable[..., Any], product_owner: Any, new_cost_owner: Any
) -> Callable[..., Amendment]:
    """An amendment of a fresh onboarded scenario in any state: a new cost owner, requested
    and submitted by the team's product owner."""

    def make(status: str = "draft", **kwargs: Any) -> Amendment:
        scenario = kwargs.pop("scenario", None) or make_scenario("onboarded")
        now = timezone.now()
        defaults: dict[str, Any] = {
            "scenario": scenario,
            "summary": "Hand the cost ownership to the new FinOps lead",
            "kind": Amendment.Kind.HAND_OVER,
            "proposed": {"cost_owner": new_cost_owner.pk},
            "requested_by": product_owner,
        }
        if status != "draft":
            defaults.update(submitted_by=product_owner, submitted_at=now - dt.timedelta(days=3))
        defaults.update(kwargs)
        return Amendment.objects.create(status=status, **defaults)

    return make
