"""Demo exceptions: every state, one expiring within a week, idempotent, with or without scenarios."""

from __future__ import annotations

from typing import Any

import pytest

from exceptions import demo, selectors
from exceptions.models import PlatformException
from portal.core import demo as core_demo
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> dict[str, Any]:
    cast: dict[str, Any] = {}
    core_demo.load(cast)
    return cast


@pytest.mark.parametrize("with_scenarios", [True, False])
def test_demo_covers_every_state_and_is_idempotent(
    people: dict[str, Any], with_scenarios: bool
) -> None:
    if with_scenarios:
        for slug, owner in (("support-ai", "product"), ("back-office", "product2")):
            scenario = ScenarioFactory(
                team=people["teams"][slug],
                status="onboarded",
                product_owner=people[owner],
                complete=False,
            )
            people.setdefault("scenarios", {})[scenario.name] = scenario
    demo.load(people)
    states = set(PlatformException.objects.values_list("status", flat=True))
    assert states == set(PlatformException.Status.values)
    assert PlatformException.objects.filter(selectors.expiring_within_q(7)).exists()
    assert PlatformException.objects.filter(extends__isnull=False).exists()
    if with_scenarios:
        # The eval gate bypass names a release, so the releases demo makes it (tests/releases).
        assert PlatformException.objects.filter(scenario__isnull=False).exists()
    count = PlatformException.objects.count()
    demo.load(people)
    assert PlatformException.objects.count() == count
