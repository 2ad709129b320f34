"""Two reviewers deciding the same scenario at once: one decision, the other a conflict."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from portal.core import roles
from portal.core.errors import TransitionConflict
from portal.core.models import AuditEntry
from scenarios import services
from scenarios.models import ScenarioReview
from tests.factories import UserFactory
from tests.scenarios.scenario_fixtures import ALL_PASS


def _race(scenario_pk: int, attempts: list[tuple[Any, str]]) -> list[Any]:
    barrier = threading.Barrier(len(attempts))
    outcomes: list[Any] = [None] * len(attempts)

    def decide(index: int, reviewer: Any, decision: str) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = services.scenario_decide(
                actor=reviewer,
                pk=scenario_pk,
                decision=decision,
                comment=f"{decision} by {reviewer.username}",
                answers=ALL_PASS,
            )
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(i, reviewer, decision))
        for i, (reviewer, decision) in enumerate(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_decide_at_once(make_scenario: Any, platform_team: Any) -> None:
    scenario = make_scenario("in_review")
    first, second = (
        UserFactory(username=name, roles=[roles.PLATFORM_REVIEWER], teams=[platform_team])
        for name in ("rev-a", "rev-b")
    )
    outcomes = _race(scenario.pk, [(first, "approve"), (second, "reject")])

    reviews = [o for o in outcomes if isinstance(o, ScenarioReview)]
    conflicts = [o for o in outcomes if isinstance(o, TransitionConflict)]
    assert len(reviews) == 1 and len(conflicts) == 1, outcomes
    scenario.refresh_from_db()
    expected = "approved" if reviews[0].decision == "approve" else "rejected"
    assert scenario.status == expected
    assert ScenarioReview.objects.filter(scenario=scenario).count() == 1
    assert AuditEntry.objects.filter(object_id=str(scenario.pk)).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_losing_api_request_gets_409(make_scenario: Any, platform_team: Any) -> None:
    from rest_framework.test import APIClient

    scenario = make_scenario("in_review")
    reviewers = [
        UserFactory(username=f"api-rev-{n}", roles=[roles.PLATFORM_REVIEWER], teams=[platform_team])
        for n in range(2)
    ]
    barrier = threading.Barrier(2)
    codes: list[int] = []
    body = {
        "comment": "Decided.",
        "checklist": [{"item": key, "passed": True} for key in ALL_PASS],
    }

    def post(reviewer: Any) -> None:
        try:
            client = APIClient()
            client.force_authenticate(reviewer)
            barrier.wait(timeout=10)
            url = f"/api/v1/scenarios/{scenario.pk}/approve/"
            codes.append(client.post(url, body, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(r,)) for r in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(codes) == [200, 409]
    assert ScenarioReview.objects.filter(scenario=scenario).count() == 1
