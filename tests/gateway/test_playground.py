"""The playground through a real LiteLLM proxy on loopback with a fixed mock response: the
answer, latency, tokens and the gateway's cost figure are shown and recorded; the scenario page
counts the runs; only the team and the platform run it, everyone reads only their own runs."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.models import PlaygroundRun
from portal.core.audit import history_for
from tests.gateway.litellm_server import ALIAS, ANSWER, MASTER_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(settings: Any, litellm_url: str) -> str:
    settings.GATEWAY_URL = litellm_url
    settings.GATEWAY_API_KEY = MASTER_KEY
    return litellm_url


def test_a_run_from_the_page_is_answered_and_recorded(
    gateway: str, released: Any, author: Any, client: Any
) -> None:
    release = released()
    client.force_login(author)
    page = client.get(f"/gateway/playground/{release.scenario_id}/")
    assert page.status_code == 200 and "Run the prompt" in page.content.decode()

    answer = client.post(f"/gateway/playground/{release.scenario_id}/",
                         {"alias": ALIAS, "prompt": "How do I reset my password?"}, follow=True)  # fmt: skip

    assert answer.status_code == 200
    run = PlaygroundRun.objects.get()
    assert (run.user, run.alias_name, run.answer, run.error) == (author, ALIAS, ANSWER, "")
    assert run.model  # the model the gateway says served it
    assert run.prompt_tokens > 0 and run.completion_tokens > 0
    assert run.cost is not None and run.cost > 0
    assert run.latency_ms > 0
    text = answer.content.decode()
    assert ANSWER in text and f"{run.latency_ms} ms" in text and f"${run.cost}" in text
    assert history_for(run).get().actor == author
    scenario_page = client.get(release.scenario.get_absolute_url()).content.decode()
    assert "Tried in the playground: 1 run." in scenario_page


def test_the_api_runs_and_reads_own_runs(
    gateway: str, released: Any, author: Any, platform_reviewer: Any, api_client: Any
) -> None:
    release = released()
    api_client.force_authenticate(platform_reviewer)  # the platform may run it too
    created = api_client.post("/api/v1/playground/runs/",
                              {"scenario": release.scenario_id, "prompt": "Hi"}, format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["answer"] == ANSWER
    run_id = created.json()["id"]
    assert api_client.get(f"/api/v1/playground/runs/{run_id}/").status_code == 200
    api_client.force_authenticate(author)
    assert api_client.get(f"/api/v1/playground/runs/{run_id}/").status_code == 404
    assert api_client.get("/api/v1/playground/runs/").json()["results"] == []


def test_bad_input_and_wrong_people(
    db: Any, released: Any, author: Any, outsider: Any, other_product_owner: Any,
    api_client: Any, settings: Any,
) -> None:  # fmt: skip
    settings.GATEWAY_URL = ""
    release = released()
    url = "/api/v1/playground/runs/"
    api_client.force_authenticate(author)
    assert api_client.post(url, {"scenario": release.scenario_id, "prompt": " "},
                           format="json").status_code == 400  # fmt: skip
    assert api_client.post(url, {"prompt": "x"}, format="json").status_code == 400
    for person in (outsider, other_product_owner):
        api_client.force_authenticate(person)
        assert api_client.post(url, {"scenario": release.scenario_id, "prompt": "x"},
                               format="json").status_code == 403  # fmt: skip
    api_client.force_authenticate(None)
    assert api_client.post(url, {"scenario": release.scenario_id, "prompt": "x"},
                           format="json").status_code in {401, 403}  # fmt: skip
    assert not PlaygroundRun.objects.exists()


def test_an_unconfigured_gateway_is_recorded_as_a_failed_run(
    db: Any, released: Any, author: Any, api_client: Any, settings: Any
) -> None:
    settings.GATEWAY_URL = ""
    release = released()
    api_client.force_authenticate(author)
    created = api_client.post("/api/v1/playground/runs/",
                              {"scenario": release.scenario_id, "prompt": "Hi"}, format="json")  # fmt: skip
    assert created.status_code == 201
    assert "GATEWAY_URL" in created.json()["error"]
    assert PlaygroundRun.objects.get().answer == ""


def test_a_scenario_without_a_released_alias_has_nothing_to_try(
    db: Any, scenario: Any, author: Any, client: Any
) -> None:
    client.force_login(author)
    page = client.get(f"/gateway/playground/{scenario.pk}/").content.decode()
    assert "no released model alias" in page
