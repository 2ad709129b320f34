"""Simultaneous sign-offs on PostgreSQL: the pair always ends approved, never two approvals."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from portal.core.audit import history_for
from portal.core.errors import TransitionConflict
from releases import services
from releases.models import Release, SignOff

TRIALS = 20

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _sign(release: Release, actor: Any, kind: str) -> Callable[[], SignOff]:
    return lambda: services.release_sign_off(release.pk, actor=actor, kind=kind, decision="approve")


def test_simultaneous_quality_and_cost_always_approve(
    make_release: Any, quality_owner: Any, cost_owner: Any
) -> None:
    for _ in range(TRIALS):
        release = make_release("submitted")

        results = _race(
            _sign(release, quality_owner, "quality"), _sign(release, cost_owner, "cost")
        )

        assert all(isinstance(r, SignOff) for r in results), results
        release.refresh_from_db()
        assert release.status == "approved"
        assert sorted(release.signoffs.values_list("kind", flat=True)) == ["cost", "quality"]
        assert [e.transition for e in history_for(release)].count("approve") == 1


def test_simultaneous_double_approve_records_one(make_release: Any, quality_owner: Any) -> None:
    for _ in range(TRIALS):
        release = make_release("submitted")

        results = _race(
            _sign(release, quality_owner, "quality"), _sign(release, quality_owner, "quality")
        )

        assert sorted(type(r).__name__ for r in results) == ["SignOff", "TransitionConflict"]
        conflict = next(r for r in results if isinstance(r, TransitionConflict))
        assert conflict.code == "already_signed"
        assert release.signoffs.count() == 1
        release.refresh_from_db()
        assert release.status == "submitted"


def test_quality_reject_racing_cost_approve_ends_consistent(
    make_release: Any, quality_owner: Any, cost_owner: Any
) -> None:
    for _ in range(TRIALS // 2):
        release = make_release("submitted")
        reject = lambda r=release: services.release_sign_off(  # noqa: E731
            r.pk, actor=quality_owner, kind="quality", decision="reject", comment="No."
        )

        results = _race(reject, _sign(release, cost_owner, "cost"))

        release.refresh_from_db()
        assert release.status == "rejected"
        assert isinstance(results[0], SignOff)
        # The cost approval either landed first (then the rejection still wins) or found the
        # release already rejected and was refused; it never approves a rejected release.
        assert isinstance(results[1], (SignOff, TransitionConflict))
