"""Expiry at the exact boundary under a frozen clock, and what it does to the eval gate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from exceptions import selectors, services
from exceptions.models import PlatformException
from portal.core.audit import history_for
from portal.core.errors import TransitionConflict
from portal.core.models import AuditEntry
from releases import gates
from tests.releases.factories import ReleaseFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db
Status = PlatformException.Status
UTC = dt.UTC
EXPIRES_ON = dt.date(2026, 3, 11)
LAST_VALID_MOMENT = dt.datetime(2026, 3, 10, 23, 59, 59, 999999, tzinfo=UTC)
EXPIRY_MOMENT = dt.datetime(2026, 3, 11, 0, 0, 0, tzinfo=UTC)
CASE = {
    "justification": "The eval set is being relabelled.",
    "risk": "medium",
    "risk_reason": "Regressions could ship unseen.",
    "compensating_controls": "Full human review.",
}


@pytest.fixture
def scenario(product_team: Any, product_owner: Any) -> Any:
    return ScenarioFactory(
        team=product_team,
        status="onboarded",
        product_owner=product_owner,
        eval_threshold=Decimal("80"),
        complete=False,
    )


@pytest.fixture
def weak_release(scenario: Any) -> Any:
    return ReleaseFactory(scenario=scenario, status="submitted", eval_score=Decimal("70"))


@pytest.fixture
def bypass(weak_release: Any, product_owner: Any, platform_reviewer: Any) -> PlatformException:
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC), tick=False):
        exception = services.exception_request(
            actor=product_owner, kind="eval_gate_bypass", release=weak_release, **CASE
        )
        return services.exception_approve(
            exception.pk, actor=platform_reviewer, expires_on=EXPIRES_ON
        )


def test_bypass_holds_until_the_last_moment_before_the_expiry_date(
    bypass: PlatformException, scenario: Any, weak_release: Any
) -> None:
    with time_machine.travel(LAST_VALID_MOMENT, tick=False):
        assert selectors.active_eval_bypass(weak_release) == bypass
        gate = gates.eval_gate(weak_release)
        assert gate.allows_approval and gate.bypass == bypass
        assert selectors.undocumented_count() == 0
        assert services.expire_due() == 0
    bypass.refresh_from_db()
    assert bypass.status == Status.APPROVED


def test_effect_stops_the_moment_it_expires_even_before_the_sweep(
    bypass: PlatformException, scenario: Any, weak_release: Any
) -> None:
    with time_machine.travel(EXPIRY_MOMENT, tick=False):
        assert selectors.active_eval_bypass(weak_release) is None
        gate = gates.eval_gate(weak_release)
        assert not gate.allows_approval and gate.bypass is None
        # Not processed yet: still approved, and counted as undocumented.
        bypass.refresh_from_db()
        assert bypass.status == Status.APPROVED and bypass.is_undocumented
        assert selectors.undocumented_count() == 1


def test_sweep_expires_on_the_date_records_it_and_emails_the_requester(
    bypass: PlatformException,
    product_owner: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mail.outbox.clear()
    with (
        time_machine.travel(EXPIRY_MOMENT, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.expire_due() == 1
        assert services.expire_due() == 0  # a repeated run changes nothing
    bypass.refresh_from_db()
    assert bypass.status == Status.EXPIRED
    assert bypass.ended_at == EXPIRY_MOMENT
    entry = history_for(bypass).last()
    assert (entry.transition, entry.source, entry.target, entry.actor) == (
        "expire",
        "approved",
        "expired",
        None,
    )
    [email] = mail.outbox
    assert email.to == [product_owner.email]
    assert "has expired" in email.body
    assert "eval gate again" in email.body
    with time_machine.travel(EXPIRY_MOMENT, tick=False):
        assert selectors.undocumented_count() == 0


def test_expire_due_takes_the_date_of_now(bypass: PlatformException) -> None:
    assert services.expire_due(now=LAST_VALID_MOMENT) == 0
    assert services.expire_due(now=EXPIRY_MOMENT + dt.timedelta(days=3)) == 1
    bypass.refresh_from_db()
    assert bypass.status == Status.EXPIRED


def test_an_exception_cannot_be_expired_before_its_date(bypass: PlatformException) -> None:
    with time_machine.travel(LAST_VALID_MOMENT, tick=False), pytest.raises(TransitionConflict):
        services.exception_expire(bypass.pk)


def test_management_command_runs_the_sweep_once(bypass: PlatformException) -> None:
    out = StringIO()
    with time_machine.travel(EXPIRY_MOMENT, tick=False):
        call_command("expire_exceptions", stdout=out)
    assert out.getvalue().strip() == "1 exception expired."
    bypass.refresh_from_db()
    assert bypass.status == Status.EXPIRED


def test_revoking_stops_the_effect_at_once(
    bypass: PlatformException, scenario: Any, platform_reviewer: Any, weak_release: Any
) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 5, 12, 0, tzinfo=UTC), tick=False):
        assert gates.eval_gate(weak_release).allows_approval
        services.exception_revoke(bypass.pk, actor=platform_reviewer, reason="Controls missing.")
        assert selectors.active_eval_bypass(weak_release) is None
        assert not gates.eval_gate(weak_release).allows_approval


def test_only_an_approved_bypass_for_that_release_counts(
    scenario: Any, product_owner: Any, platform_reviewer: Any, weak_release: Any
) -> None:
    other = ScenarioFactory(team=scenario.team, status="onboarded", complete=False)
    elsewhere_release = ReleaseFactory(scenario=other, status="submitted")
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC), tick=False):
        pending = services.exception_request(
            actor=product_owner, kind="eval_gate_bypass", release=weak_release, **CASE
        )
        wrong_kind = services.exception_request(
            actor=product_owner, kind="outside_gateway", scenario=scenario, **CASE
        )
        elsewhere = services.exception_request(
            actor=product_owner, kind="eval_gate_bypass", release=elsewhere_release, **CASE
        )
        for exception in (wrong_kind, elsewhere):
            services.exception_approve(exception.pk, actor=platform_reviewer, expires_on=EXPIRES_ON)
        assert selectors.active_eval_bypass(weak_release) is None
        services.exception_approve(pending.pk, actor=platform_reviewer, expires_on=EXPIRES_ON)
        assert selectors.active_eval_bypass(weak_release).pk == pending.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_expire_each_exception_once(
    product_team: Any, product_owner: Any, platform_reviewer: Any
) -> None:
    import threading

    from django.db import connection

    scenario = ScenarioFactory(team=product_team, status="onboarded", complete=False)
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC), tick=False):
        for _ in range(3):
            exception = services.exception_request(
                actor=product_owner, kind="outside_gateway", scenario=scenario, **CASE
            )
            services.exception_approve(exception.pk, actor=platform_reviewer, expires_on=EXPIRES_ON)
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def sweep() -> None:
        try:
            barrier.wait(timeout=10)
            counts.append(services.expire_due(now=EXPIRY_MOMENT))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(counts) == 3
    assert set(PlatformException.objects.values_list("status", flat=True)) == {Status.EXPIRED}
    assert AuditEntry.objects.filter(transition="expire").count() == 3
