"""Named sets live on the models: live scenarios, and the exception register's `.open()`,
`.past_expiry(day)` and `.undocumented(day)`, with the same rule for one exception
(`is_past_expiry`, `is_undocumented`). The dashboard, the selectors and the sweep read these."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dashboard import sources
from exceptions.models import PlatformException
from tests.scenarios.factories import PlatformExceptionFactory, ScenarioFactory

pytestmark = pytest.mark.django_db
Status = PlatformException.Status


@pytest.fixture
def register() -> list[PlatformException]:
    today = timezone.localdate()
    scenario = ScenarioFactory(status="onboarded")
    made = [PlatformExceptionFactory(scenario=scenario, status=status) for status in Status.values]
    for offset in (-3, 0, 1, 30):
        made.append(
            PlatformExceptionFactory(
                scenario=scenario,
                status=Status.APPROVED,
                expires_on=today + dt.timedelta(days=offset),
            )
        )
    return made


def test_open_is_every_state_not_ended(register: list[PlatformException]) -> None:
    assert set(Status.values) - PlatformException.ENDED == PlatformException.OPEN
    assert set(PlatformException.objects.open()) == {
        e for e in register if e.status in PlatformException.OPEN
    }


def test_past_expiry_and_undocumented_agree_for_the_set_and_one_exception(
    register: list[PlatformException],
) -> None:
    today = timezone.localdate()
    past = set(PlatformException.objects.past_expiry(today))
    assert past == {e for e in register if e.is_past_expiry(today)}
    assert {e.expires_on - today for e in past} == {dt.timedelta(days=-3), dt.timedelta(0)}
    assert set(PlatformException.objects.undocumented(today)) == {
        e for e in register if e.is_undocumented
    }


def test_the_dashboard_reads_the_models_rules() -> None:
    assert sources.past_expiry is PlatformException.past_expiry_q
    assert sources.undocumented_now is PlatformException.undocumented_q
    assert sources.OPEN_EXCEPTION is PlatformException.OPEN


def test_live_scenarios_are_approved_or_onboarded() -> None:
    from scenarios.models import Scenario

    made = {status: ScenarioFactory(status=status) for status in Scenario.Status.values}
    assert set(Scenario.objects.live()) == {made["approved"], made["onboarded"]}
