"""Each reason's SLA boundary under a frozen clock: nothing a second before, a reminder at it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.db.models import F

from portal.reminders.models import Reminder
from releases import gates
from releases.gates import with_fast_path
from releases.models import Release, ReleasePolicy
from scenarios.models import Amendment
from tests.incidents.factories import IncidentFactory
from tests.releases.factories import ReleaseFactory
from tests.reminders.conftest import T0, rows, sweep_at
from tests.scenarios.factories import PlatformExceptionFactory, ScenarioFactory

pytestmark = pytest.mark.django_db

SECOND = dt.timedelta(seconds=1)


def _scenario(c: SimpleNamespace) -> Any:
    return ScenarioFactory(
        status="submitted",
        submitted_at=T0,
        team=c.scenario.team,
        product_owner=c.product_owner,
        platform_owner=c.platform_owner,
        escalation=c.path,
    )


def _release(status: str, stamp: str) -> Callable[[SimpleNamespace], Any]:
    return lambda c: ReleaseFactory(scenario=c.scenario, status=status, **{stamp: T0})


def _amendment(c: SimpleNamespace) -> Any:
    return Amendment.objects.create(
        scenario=c.scenario,
        status="submitted",
        summary="New cost budget",
        proposed={"monthly_budget": "9000"},
        requested_by=c.product_owner,
        submitted_by=c.product_owner,
        submitted_at=T0,
    )


def _requested(c: SimpleNamespace) -> Any:
    return PlatformExceptionFactory(
        scenario=c.scenario, status="requested", requested_at=T0, requester=c.product_owner
    )


def _incident(severity: str, **kwargs: Any) -> Callable[[SimpleNamespace], Any]:
    return lambda c: IncidentFactory(scenario=c.scenario, severity=severity, **kwargs)


# (reason, builder, SLA after T0, usernames reminded)
CASES = [
    ("scenario_review", _scenario, dt.timedelta(hours=48), {"reviewer"}),
    ("release_quality_signoff", _release("submitted", "submitted_at"), dt.timedelta(hours=24), {"quality"}),
    ("release_cost_signoff", _release("submitted", "submitted_at"), dt.timedelta(hours=24), {"cost"}),
    ("release_product_rollout_signoff", _release("approved", "approved_at"), dt.timedelta(hours=24), {"po"}),
    ("release_platform_rollout_signoff", _release("approved", "approved_at"), dt.timedelta(hours=24), {"platform-owner"}),
    # The platform owner is named on the scenario, so may not review its amendment.
    ("amendment_review", _amendment, dt.timedelta(hours=48), {"reviewer"}),
    ("exception_decision", _requested, dt.timedelta(hours=48), {"reviewer", "platform-owner"}),
    ("incident_ack", _incident("SEV1", opened_at=T0), dt.timedelta(minutes=15), {"incident"}),
    ("incident_ack", _incident("SEV2", opened_at=T0), dt.timedelta(hours=1), {"incident"}),
    ("incident_ack", _incident("SEV3", opened_at=T0), dt.timedelta(hours=8), {"incident"}),
    ("incident_ack", _incident("SEV4", opened_at=T0), dt.timedelta(hours=24), {"incident"}),
    (
        "incident_postmortem",
        _incident("SEV2", status="resolved", opened_at=T0 - dt.timedelta(hours=3), resolved_at=T0),
        dt.timedelta(days=5),
        {"incident"},
    ),
]  # fmt: skip


@pytest.mark.parametrize(("reason", "build", "sla", "expected"), CASES)
def test_first_reminder_exactly_at_the_sla(
    cast: SimpleNamespace, reason: str, build: Any, sla: dt.timedelta, expected: set[str]
) -> None:
    obj = build(cast)

    sweep_at(T0 + sla - SECOND)
    assert rows(reason) == []

    sweep_at(T0 + sla)
    reminded = Reminder.objects.filter(reason=reason).select_related("recipient")
    assert {r.recipient.username for r in reminded} == expected
    assert {r.status for r in reminded} == {"sent"}
    mine = [m for m in mail.outbox if m.to[0] in {r.recipient.email for r in reminded}]
    link = f"http://testserver{obj.get_absolute_url()}"
    assert mine and all(link in m.body and link in m.alternatives[0][0] for m in mine)
    assert all(str(obj) in m.subject for m in mine)


def test_the_incident_ack_reminder_also_goes_to_whom_it_was_handed(cast: SimpleNamespace) -> None:
    IncidentFactory(scenario=cast.scenario, severity="SEV2", opened_at=T0, handed_to=cast.handover)
    sweep_at(T0 + dt.timedelta(hours=1))
    assert {name for name, *_ in rows("incident_ack")} == {"handover", "incident"}


def test_nothing_is_reminded_once_the_work_is_done(cast: SimpleNamespace) -> None:
    IncidentFactory(scenario=cast.scenario, severity="SEV1", opened_at=T0, status="acknowledged")
    IncidentFactory(
        scenario=cast.scenario, severity="SEV3", status="resolved", resolved_at=T0
    )  # no postmortem needed below SEV2
    ScenarioFactory(status="approved", submitted_at=T0, team=cast.scenario.team)
    sweep_at(T0 + dt.timedelta(days=10))
    assert rows() == []
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("reason", "first_day", "days_before"),
    [("exception_expiry_notice", dt.date(2026, 3, 13), 7), ("exception_expiry_final", dt.date(2026, 3, 19), 1)],
)  # fmt: skip
def test_expiry_notices_start_on_their_day(
    cast: SimpleNamespace, reason: str, first_day: dt.date, days_before: int
) -> None:
    exception = PlatformExceptionFactory(
        scenario=cast.scenario,
        status="approved",
        requester=cast.product_owner,
        approver=cast.reviewer,
        decided_at=T0,
        expires_on=dt.date(2026, 3, 20),
    )
    midnight = dt.datetime.combine(first_day, dt.time(), tzinfo=dt.UTC)

    sweep_at(midnight - SECOND)
    assert rows(reason) == []

    sweep_at(midnight)
    assert {name for name, *_ in rows(reason)} == {"po", "platform-owner"}
    subjects = {m.subject for m in mail.outbox if "expires in" in m.subject}
    assert f"Exception “{exception}” expires in {days_before} day" in " ".join(subjects)

    # A notice is sent once per approval, never repeated or escalated.
    sweep_at(midnight + dt.timedelta(hours=23))
    assert len(rows(reason)) == 2


def test_an_exception_approved_inside_the_notice_window_gets_the_notice_at_once(
    cast: SimpleNamespace,
) -> None:
    PlatformExceptionFactory(
        scenario=cast.scenario,
        status="approved",
        decided_at=T0,
        expires_on=(T0 + dt.timedelta(days=4)).date(),
    )
    sweep_at(T0 + dt.timedelta(minutes=15))
    assert {m.subject.split(" (")[0][-17:] for m in mail.outbox} == {"expires in 4 days"}


def test_the_sweep_expires_exceptions_past_their_date(cast: SimpleNamespace) -> None:
    exception = PlatformExceptionFactory(
        scenario=cast.scenario, status="approved", decided_at=T0, expires_on=dt.date(2026, 3, 5)
    )
    result = sweep_at(dt.datetime(2026, 3, 4, 23, 59, tzinfo=dt.UTC))
    assert result.chores == {"exceptions_expired": 0}
    assert {reason for (reason,) in Reminder.objects.values_list("reason")} == {
        "exception_expiry_final"
    }
    result = sweep_at(dt.datetime(2026, 3, 5, 0, 0, tzinfo=dt.UTC))
    assert result.chores == {"exceptions_expired": 1}
    exception.refresh_from_db()
    assert exception.status == "expired"
    assert result.claim.due == 0


def test_a_fast_path_release_waits_for_no_platform_rollout_sign_off(cast: SimpleNamespace) -> None:
    ReleaseFactory(
        scenario=cast.scenario, status="approved", approved_at=T0, change_type="prompt_only"
    )
    sweep_at(T0 + dt.timedelta(hours=24))
    assert rows("release_platform_rollout_signoff") == []
    assert {name for name, *_ in rows("release_product_rollout_signoff")} == {"po"}


def test_the_fast_path_sql_agrees_with_the_release_gates(cast: SimpleNamespace) -> None:
    scenario = cast.scenario
    variants = [
        {},
        {"eval_score": Decimal("79.99")},
        {"eval_score": None},
        {"cost_per_request": Decimal("0.2")},  # over the monthly budget
        {"accepted_outcome_rate": Decimal("1")},  # over the target cost per outcome
        {"cost_per_request": None},
        {"change_type": "model"},
    ]
    releases = [
        ReleaseFactory(
            scenario=scenario, status="approved", **{"change_type": "prompt_only", **variant}
        )
        for variant in variants
    ]
    for enabled in (True, False):
        ReleasePolicy.objects.update_or_create(pk=1, defaults={"fast_path_enabled": enabled})
        policy = ReleasePolicy.current()
        in_sql = dict(
            with_fast_path(Release.objects.filter(pk__in=[r.pk for r in releases]))
            .annotate(fast=F("rm_fast"))
            .values_list("pk", "fast")
        )
        expected = {r.pk: gates.fast_path_eligible(r, policy) for r in releases}
        assert in_sql == expected
        assert any(expected.values()) is enabled
