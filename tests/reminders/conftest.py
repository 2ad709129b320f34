"""A scenario with every owner named and a three-level escalation path, and a clock to sweep at."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.core import mail

from portal.core import roles
from portal.reminders import sweep
from portal.reminders.models import Reminder
from tests.factories import UserFactory
from tests.scenarios.factories import ScenarioFactory

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def cast(
    product_team: Any,
    product_owner: Any,
    platform_owner: Any,
    platform_reviewer: Any,
    quality_owner: Any,
    cost_owner: Any,
    incident_owner: Any,
) -> SimpleNamespace:
    path = [UserFactory(username=f"level{n}", teams=[product_team]) for n in (1, 2, 3)]
    scenario = ScenarioFactory(
        name="Support answers",
        status="onboarded",
        team=product_team,
        product_owner=product_owner,
        platform_owner=platform_owner,
        quality_owner=quality_owner,
        cost_owner=cost_owner,
        incident_owner=incident_owner,
        escalation=path,
    )
    handover = UserFactory(username="handover", roles=[roles.INCIDENT_OWNER], teams=[product_team])
    return SimpleNamespace(
        scenario=scenario,
        path=path,
        product_owner=product_owner,
        platform_owner=platform_owner,
        reviewer=platform_reviewer,
        quality_owner=quality_owner,
        cost_owner=cost_owner,
        incident_owner=incident_owner,
        handover=handover,
    )


def sweep_at(when: dt.datetime, **kwargs: Any) -> sweep.SweepResult:
    with time_machine.travel(when, tick=False):
        return sweep.run(**kwargs)


def claim_at(when: dt.datetime) -> sweep.Claim:
    with time_machine.travel(when, tick=False):
        return sweep.claim(when)


def rows(reason: str | None = None) -> list[tuple[str, int, int, int, str]]:
    """(recipient username, sequence, round, level, status) of each reminder, in claim order."""
    queryset = Reminder.objects.order_by("sequence", "recipient__username")
    if reason is not None:
        queryset = queryset.filter(reason=reason)
    return [
        (r.recipient.username, r.sequence, r.round, r.level, r.status)
        for r in queryset.select_related("recipient")
    ]


def outbox() -> list[tuple[str, str]]:
    """(recipient address, subject) of every email sent, sorted."""
    return sorted((message.to[0], message.subject) for message in mail.outbox)
