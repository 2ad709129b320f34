"""`PortalClient` from Python against a live portal: paging, waiting, errors and replays."""

from __future__ import annotations

from typing import Any

import pytest
from portal_sdk import APIError, ConfigError, PortalClient, WaitOutcome

from portal.core.token_services import token_create
from releases import services as release_services
from tests.releases.factories import ReleaseFactory
from tests.scenarios.factories import ScenarioFactory


@pytest.fixture
def client(portal_server: Any, author: Any) -> PortalClient:
    return PortalClient(portal_server.url, token_create(author, name="ci")[1], retries=0)


def test_scenarios_follow_every_page_up_to_the_limit(
    client: PortalClient, scenario: Any, product_team: Any
) -> None:
    for number in range(4):
        ScenarioFactory(name=f"Triage {number}", team=product_team, status="onboarded")
    names = [row["name"] for row in client.scenarios(team=product_team.slug, page_size=2)]
    assert sorted(names) == ["Support answers", "Triage 0", "Triage 1", "Triage 2", "Triage 3"]
    assert len(list(client.scenarios(page_size=2, limit=3))) == 3
    assert [row["name"] for row in client.scenarios(search="Triage 2")] == ["Triage 2"]


def test_create_replays_with_the_same_key(client: PortalClient, scenario: Any) -> None:
    draft = {"scenario": scenario.pk, "model_name": "small-model", "alias_name": "support-chat"}
    first = client.release_create(draft, idempotency_key="run-1")  # type: ignore[arg-type]
    again = client.release_create(draft, idempotency_key="run-1")  # type: ignore[arg-type]
    assert (first.replayed, again.replayed) == (False, True)
    assert first.release["id"] == again.release["id"]
    assert client.absolute(first.release["url"]).startswith(client.url + "/releases/")


def test_wait_polls_while_submitted(client: PortalClient, scenario: Any, author: Any) -> None:
    release = ReleaseFactory(scenario=scenario, author=author, alias_name="support-chat")
    assert client.release_wait(release.pk, timeout=5).outcome is WaitOutcome.NOT_SUBMITTED
    release_services.release_submit(release.pk, actor=author)
    polled: list[str] = []
    result = client.release_wait(
        release.pk, timeout=0.3, interval=0.1, on_poll=lambda r: polled.append(r["status"])
    )
    assert result.outcome is WaitOutcome.TIMEOUT and result.release["status"] == "submitted"
    assert len(polled) >= 2 and set(polled) == {"submitted"}


def test_errors_carry_status_code_and_field_messages(client: PortalClient, scenario: Any) -> None:
    bad = {"scenario": scenario.pk, "model_name": "m", "alias_name": "a", "eval_score": "1000"}
    with pytest.raises(APIError) as refused:
        client.release_create(bad)  # type: ignore[arg-type]
    error = refused.value
    assert (error.status, error.code, error.conflict) == (400, "invalid", False)
    assert "eval_score" in error.errors and "\n  eval_score: " in str(error)
    with pytest.raises(APIError) as missing:
        client.decision_record(999999)
    assert missing.value.status == 404


def test_settings_are_checked_before_any_request() -> None:
    with pytest.raises(ConfigError, match="set PORTAL_URL and PORTAL_TOKEN"):
        PortalClient.from_env({})
    with pytest.raises(ConfigError, match="must start with http"):
        PortalClient("portal.example.com", "token")
    with pytest.raises(ConfigError, match="set PORTAL_TOKEN"):
        PortalClient.from_env({"PORTAL_URL": "https://portal.example.com", "PORTAL_TOKEN": ""})
    with pytest.raises(ConfigError, match="token is required"):
        PortalClient("https://portal.example.com", "")
