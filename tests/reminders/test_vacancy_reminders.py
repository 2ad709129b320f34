"""A vacancy is reminded to the scenario's product and platform owners until it is filled."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.core import mail

from identity.services import user_deactivate
from scenarios.services import scenario_vacancies_refresh
from tests.reminders.conftest import T0, rows, sweep_at

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(hours=24)


def test_reminded_after_the_interval_again_and_never_once_filled(
    cast: SimpleNamespace, admin_user: Any, settings: Any
) -> None:
    settings.PORTAL = {**settings.PORTAL, "REMINDER_INTERVAL_HOURS": 24}
    with time_machine.travel(T0, tick=False):
        user_deactivate(cast.cost_owner.pk, actor=admin_user, via="in the admin")
    sweep_at(T0 + DAY - dt.timedelta(seconds=1))
    assert rows("vacancy_open") == []

    sweep_at(T0 + DAY)
    sweep_at(T0 + DAY + dt.timedelta(hours=1))  # a repeated tick sends nothing twice
    assert rows("vacancy_open") == [
        ("platform-owner", 1, 1, 0, "sent"),
        ("po", 1, 1, 0, "sent"),
    ]
    reminder = next(m for m in mail.outbox if "hand-over" in m.subject)
    assert "vacant: cost owner (was" in reminder.subject
    assert f"/scenarios/{cast.scenario.pk}/" in reminder.body

    sweep_at(T0 + 2 * DAY)
    assert [r[1] for r in rows("vacancy_open")] == [1, 1, 2, 2]

    with time_machine.travel(T0 + 2 * DAY + dt.timedelta(hours=1), tick=False):
        cast.scenario.cost_owner = cast.quality_owner
        cast.scenario.save(update_fields=["cost_owner"])
        scenario_vacancies_refresh(cast.scenario.pk, actor=cast.platform_owner)
    sweep_at(T0 + 3 * DAY)
    sweep_at(T0 + 4 * DAY)
    assert len(rows("vacancy_open")) == 4
