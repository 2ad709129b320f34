"""Races on PostgreSQL: many people pressing the same approval at the same instant.

Each thread has its own database connection and waits at a barrier, so the requests really
arrive together. Exactly one may win; every other one must get a conflict, never a second
transition, a second audit row or an object stuck between states."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from exceptions.models import PlatformException
from exceptions.services import exception_approve
from portal.core.errors import TransitionConflict
from portal.core.models import AuditEntry
from releases.models import Release, SignOff
from releases.services import release_sign_off
from scenarios import checklist
from scenarios.models import Scenario
from scenarios.services import scenario_decide
from tests.factories import UserFactory
from tests.releases.factories import ReleaseFactory
from tests.scenarios.factories import PlatformExceptionFactory, ScenarioFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 16


def race(calls: list[Callable[[], Any]]) -> tuple[int, list[BaseException]]:
    """Run the calls at once; returns (successes, unexpected errors)."""
    barrier = threading.Barrier(len(calls))
    wins: list[int] = []
    conflicts: list[int] = []
    unexpected: list[BaseException] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            call()
            wins.append(1)
        except TransitionConflict:
            conflicts.append(1)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            unexpected.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(wins) + len(conflicts) + len(unexpected) == len(calls)
    return len(wins), unexpected


def _audit(obj: Any, transition: str) -> int:
    return AuditEntry.objects.filter(object_id=str(obj.pk), transition=transition).count()


def test_sixteen_reviewers_approving_one_scenario_make_one_decision(platform_team: Any) -> None:
    scenario = ScenarioFactory(status="in_review")
    answers = {key: {"passed": True, "note": ""} for key in checklist.ITEM_KEYS}
    reviewers = [
        UserFactory(roles=["platform reviewer"], teams=[platform_team]) for _ in range(THREADS)
    ]
    wins, unexpected = race(
        [
            lambda r=r: scenario_decide(
                actor=r, pk=scenario.pk, decision="approve", comment="Fine.", answers=answers
            )
            for r in reviewers
        ]
    )
    assert unexpected == []
    assert wins == 1
    scenario = Scenario.objects.get(pk=scenario.pk)
    assert scenario.status == "approved"
    assert scenario.reviews.count() == 1
    assert _audit(scenario, "approve") == 1


def test_sixteen_identical_quality_sign_offs_record_one() -> None:
    release = ReleaseFactory(status="submitted")
    owner = release.scenario.quality_owner
    wins, unexpected = race(
        [
            lambda: release_sign_off(release.pk, actor=owner, kind="quality", decision="approve")
            for _ in range(THREADS)
        ]
    )
    assert unexpected == []
    assert wins == 1
    assert SignOff.objects.filter(release=release, kind="quality", decision="approve").count() == 1
    assert _audit(release, "sign_off_quality_approve") == 1


def test_sixteen_reviewers_approving_one_exception_make_one_approval(platform_team: Any) -> None:
    exception = PlatformExceptionFactory()
    reviewers = [
        UserFactory(roles=["platform reviewer"], teams=[platform_team]) for _ in range(THREADS)
    ]
    wins, unexpected = race(
        [lambda r=r: exception_approve(exception.pk, actor=r) for r in reviewers]
    )
    assert unexpected == []
    assert wins == 1
    exception = PlatformException.objects.get(pk=exception.pk)
    assert exception.status == "approved"
    assert _audit(exception, "approve") == 1


def test_quality_and_cost_arriving_together_never_leave_a_release_stuck() -> None:
    stuck = []
    scenario = ScenarioFactory(status="onboarded")
    for _ in range(50):
        release = ReleaseFactory(status="submitted", scenario=scenario)
        wins, unexpected = race(
            [
                lambda pk=release.pk: release_sign_off(
                    pk, actor=scenario.quality_owner, kind="quality", decision="approve"
                ),
                lambda pk=release.pk: release_sign_off(
                    pk, actor=scenario.cost_owner, kind="cost", decision="approve"
                ),
            ]
        )
        assert unexpected == []
        assert wins == 2
        if Release.objects.get(pk=release.pk).status != "approved":
            stuck.append(release.pk)
        assert _audit(release, "approve") == 1
    assert stuck == []
