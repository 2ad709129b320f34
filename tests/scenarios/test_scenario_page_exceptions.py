from __future__ import annotations

from typing import Any

import pytest

from tests.scenarios.factories import PlatformExceptionFactory, ScenarioFactory

pytestmark = pytest.mark.django_db


def test_a_scenario_with_many_exceptions_lists_ten_and_links_to_the_rest(
    client: Any, outsider: Any
) -> None:
    scenario = ScenarioFactory(status="onboarded")
    for n in range(12):
        PlatformExceptionFactory(scenario=scenario, title=f"Bypass number {n:02d}")
    client.force_login(outsider)
    body = client.get(f"/scenarios/{scenario.pk}/").content.decode()
    assert body.count("Bypass number") == 10
    assert f"/exceptions/?scenario={scenario.pk}" in body
    assert "All 12 exceptions of this scenario" in body


def test_the_scenario_page_shows_its_scorecard(client: Any, outsider: Any) -> None:
    scenario = ScenarioFactory(status="onboarded")
    client.force_login(outsider)
    body = client.get(f"/scenarios/{scenario.pk}/").content.decode()
    assert "Product and platform owner named" in body
    assert "Last approved release had quality and cost review" in body


def test_a_live_scenario_page_links_to_new_releases_and_incidents(
    client: Any, outsider: Any
) -> None:
    scenario = ScenarioFactory(status="onboarded")
    client.force_login(outsider)
    body = client.get(f"/scenarios/{scenario.pk}/").content.decode()
    assert f"/incidents/new/?scenario={scenario.pk}" in body
    assert f"/releases/new/?scenario={scenario.pk}" in body
