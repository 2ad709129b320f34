"""Sixteen platform reviewers approve one amendment at once: it is applied once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from portal.core import roles
from portal.core.errors import TransitionConflict
from portal.core.models import AuditEntry
from scenarios.amendments import services
from scenarios.models import Amendment, Scenario
from tests.factories import UserFactory

RACERS = 16


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixteen_concurrent_approvals_apply_once(
    make_amendment: Any, platform_team: Any, new_cost_owner: Any
) -> None:
    amendment = make_amendment("submitted")
    reviewers = [
        UserFactory(username=f"race-{n}", roles=[roles.PLATFORM_REVIEWER], teams=[platform_team])
        for n in range(RACERS)
    ]
    barrier = threading.Barrier(RACERS)
    outcomes: list[Any] = [None] * RACERS

    def approve(index: int) -> None:
        try:
            barrier.wait(timeout=20)
            outcomes[index] = services.amendment_approve(
                amendment.pk, actor=reviewers[index], comment="race"
            )
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    won = [o for o in outcomes if isinstance(o, Amendment)]
    lost = [o for o in outcomes if isinstance(o, TransitionConflict)]
    assert len(won) == 1 and len(lost) == RACERS - 1, outcomes
    amendment.refresh_from_db()
    assert amendment.status == "applied"
    assert amendment.scenario.cost_owner_id == new_cost_owner.pk
    on_amendment = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Amendment), object_id=str(amendment.pk)
    )
    assert sorted(on_amendment.values_list("transition", flat=True)) == ["apply", "approve"]
    on_scenario = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Scenario),
        object_id=str(amendment.scenario_id),
        transition="amendment_applied",
    )
    assert on_scenario.count() == 1
