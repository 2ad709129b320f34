"""The migration that adds `review_started_at` fills it from the audit trail: the first
start_review row at or after the latest submission, none for a scenario waiting again."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from scenarios import services
from scenarios.models import Scenario
from tests.scenarios.scenario_fixtures import ALL_PASS

BEFORE = [("scenarios", "0006_amendment")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_review_start_from_the_audit_trail(
    make_scenario: Any, platform_reviewer: Any, submitter: Any
) -> None:
    in_review = make_scenario("submitted")
    services.scenario_start_review(actor=platform_reviewer, pk=in_review.pk)
    waiting = make_scenario("submitted")
    services.scenario_start_review(actor=platform_reviewer, pk=waiting.pk)
    services.scenario_decide(
        waiting.pk, actor=platform_reviewer, decision="request_changes", comment="Thin eval",
        answers=ALL_PASS,
    )  # fmt: skip
    services.scenario_submit(waiting.pk, actor=submitter)
    never = make_scenario("draft")
    started = Scenario.objects.get(pk=in_review.pk).review_started_at
    assert started is not None

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    filled = dict(
        Scenario.objects.filter(pk__in=[in_review.pk, waiting.pk, never.pk]).values_list(
            "pk", "review_started_at"
        )
    )
    # The audit row is written in the same transaction as the transition, a moment apart.
    assert filled[in_review.pk] is not None
    assert abs((filled[in_review.pk] - started).total_seconds()) < 5
    assert filled[waiting.pk] is None
    assert filled[never.pk] is None
