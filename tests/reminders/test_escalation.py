"""Rounds go to the people who must act N times, then up the escalation path one level per round."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail

from portal.reminders.models import Reminder
from tests.factories import UserFactory
from tests.incidents.factories import IncidentFactory
from tests.releases.factories import ReleaseFactory
from tests.reminders.conftest import T0, rows, sweep_at
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(hours=24)


def test_escalation_climbs_the_path_in_order_each_level_once(cast: SimpleNamespace) -> None:
    ReleaseFactory(scenario=cast.scenario, status="submitted", submitted_at=T0)
    start = T0 + DAY
    for n in range(7):
        sweep_at(start + n * DAY)

    assert rows("release_quality_signoff") == [
        ("quality", 1, 1, 0, "sent"),
        ("quality", 2, 2, 0, "sent"),
        ("level1", 3, 3, 1, "sent"),
        ("level2", 4, 4, 2, "sent"),
        ("level3", 5, 5, 3, "sent"),
        # The path is exhausted: the work still waits, so its owner hears again.
        ("quality", 6, 6, 0, "sent"),
        ("quality", 7, 7, 0, "sent"),
    ]
    escalations = [
        m for m in mail.outbox if m.subject.startswith("Escalation") and "quality" in m.subject
    ]
    assert [m.to[0] for m in escalations[:3]] == [
        "level1@example.com",
        "level2@example.com",
        "level3@example.com",
    ]
    assert "level 2 of the escalation path" in escalations[1].body
    assert "Quality (the quality owner) had 2 reminders" in escalations[1].body


def test_rounds_repeat_only_after_the_interval(cast: SimpleNamespace) -> None:
    ReleaseFactory(scenario=cast.scenario, status="submitted", submitted_at=T0)
    sweep_at(T0 + DAY)
    for minutes in (15, 60, 23 * 60 + 59):
        sweep_at(T0 + DAY + dt.timedelta(minutes=minutes))
    assert len(rows("release_quality_signoff")) == 1
    sweep_at(T0 + 2 * DAY)
    assert len(rows("release_quality_signoff")) == 2


def test_the_number_of_reminders_before_escalation_is_a_setting(
    cast: SimpleNamespace, settings: Any
) -> None:
    settings.PORTAL = {**settings.PORTAL, "REMINDERS_BEFORE_ESCALATION": 1}
    ReleaseFactory(scenario=cast.scenario, status="submitted", submitted_at=T0)
    sweep_at(T0 + DAY)
    sweep_at(T0 + 2 * DAY)
    assert [(name, level) for name, _, _, level, _ in rows("release_cost_signoff")] == [
        ("cost", 0),
        ("level1", 1),
    ]


def test_an_inactive_person_on_the_path_is_skipped(cast: SimpleNamespace) -> None:
    cast.path[0].is_active = False
    cast.path[0].save(update_fields=["is_active"])
    ReleaseFactory(scenario=cast.scenario, status="submitted", submitted_at=T0)
    for n in range(4):
        sweep_at(T0 + DAY + n * DAY)
    assert [name for name, *_ in rows("release_cost_signoff")] == [
        "cost",
        "cost",
        "level2",
        "level3",
    ]


def test_incidents_escalate_along_the_path_copied_when_they_opened(cast: SimpleNamespace) -> None:
    on_call = UserFactory(username="on-call")
    IncidentFactory(
        scenario=cast.scenario, severity="SEV1", opened_at=T0, escalation_path=[on_call.pk]
    )
    quarter = dt.timedelta(minutes=15)
    for n in range(1, 5):
        sweep_at(T0 + n * quarter)
    assert rows("incident_ack") == [
        ("incident", 1, 1, 0, "sent"),
        ("incident", 2, 2, 0, "sent"),
        ("on-call", 3, 3, 1, "sent"),
        ("incident", 4, 4, 0, "sent"),
    ]


def test_a_resubmitted_scenario_starts_a_new_wait(cast: SimpleNamespace) -> None:
    scenario = ScenarioFactory(
        status="submitted", submitted_at=T0, team=cast.scenario.team, escalation=cast.path
    )
    sweep_at(T0 + 2 * DAY)
    sweep_at(T0 + 3 * DAY)
    mine = Reminder.objects.filter(recipient=cast.reviewer).order_by("sequence")
    assert [(r.sequence, r.round) for r in mine] == [(1, 1), (2, 2)]

    # Changes requested, then submitted again: the earlier rounds do not count toward escalation.
    resubmitted = T0 + 4 * DAY
    type(scenario).objects.filter(pk=scenario.pk).update(submitted_at=resubmitted)
    sweep_at(resubmitted + 2 * DAY - dt.timedelta(seconds=1))
    assert mine.count() == 2
    sweep_at(resubmitted + 2 * DAY)
    latest = mine.order_by("-sequence").first()
    assert latest is not None
    assert (latest.sequence, latest.round, latest.level, latest.recipient.username) == (
        3,
        1,
        0,
        "reviewer",
    )


def test_a_review_in_progress_reminds_its_reviewer(cast: SimpleNamespace) -> None:
    ScenarioFactory(
        status="in_review", submitted_at=T0, reviewer=cast.reviewer, team=cast.scenario.team
    )
    sweep_at(T0 + 2 * DAY)
    assert [name for name, *_ in rows("scenario_review")] == ["reviewer"]


def test_an_owner_who_left_is_stood_in_for_by_the_product_owner(cast: SimpleNamespace) -> None:
    cast.quality_owner.is_active = False
    cast.quality_owner.save(update_fields=["is_active"])
    ReleaseFactory(scenario=cast.scenario, status="submitted", submitted_at=T0)
    sweep_at(T0 + DAY)
    assert {name for name, *_ in rows("release_quality_signoff")} == {"po"}


def test_nobody_named_falls_back_to_the_platform_reviewers(cast: SimpleNamespace) -> None:
    cast.quality_owner.is_active = False
    cast.quality_owner.save(update_fields=["is_active"])
    cast.scenario.product_owner.is_active = False
    cast.scenario.product_owner.save(update_fields=["is_active"])
    ReleaseFactory(scenario=cast.scenario, status="submitted", submitted_at=T0)
    sweep_at(T0 + DAY)
    assert {name for name, *_ in rows("release_quality_signoff")} == {"reviewer", "platform-owner"}
