"""The incidents API: list, create, retrieve and every POST action, with its error codes."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from rest_framework.test import APIClient

from incidents.models import Incident
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/incidents/"


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_anonymous_gets_401(incident: Any) -> None:
    for method, url in [("get", BASE), ("get", f"{BASE}{incident.pk}/"), ("post", BASE)]:
        assert getattr(APIClient(), method)(url).status_code == 401
    assert APIClient().post(f"{BASE}{incident.pk}/acknowledge/").status_code == 401


def test_create_list_retrieve(cast: SimpleNamespace) -> None:
    client = _api(cast.outsider)
    created = client.post(
        BASE, {"scenario": cast.scenario.pk, "title": "Wrong refunds", "severity": "SEV2"}
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "open"
    assert body["incident_owner"]["id"] == cast.incident_owner.pk
    assert body["escalation_path"] == [cast.platform_owner.pk, cast.platform.pk]
    assert body["actions"] == [] and body["has_postmortem"] is False
    listed = client.get(BASE, {"severity": "SEV2", "open_only": "true"}).json()
    assert listed["count"] == 1 and listed["results"][0]["title"] == "Wrong refunds"
    assert client.get(BASE, {"q": "nothing-like-this"}).json()["count"] == 0
    detail = _api(cast.incident_owner).get(f"{BASE}{body['id']}/").json()
    assert detail["actions"] == ["acknowledge", "mitigate"]
    assert client.get(f"{BASE}999999/").status_code == 404


def test_create_validation(cast: SimpleNamespace, product_team: Any) -> None:
    from tests.scenarios.factories import ScenarioFactory

    client = _api(cast.outsider)
    bad = client.post(BASE, {"scenario": cast.scenario.pk, "title": "x", "severity": "SEV9"})
    assert bad.status_code == 400 and "severity" in bad.json()["errors"]
    gap = ScenarioFactory(status="onboarded", team=product_team, prompt_owner=None)
    refused = client.post(BASE, {"scenario": gap.pk, "title": "x", "severity": "SEV3"})
    assert refused.status_code == 400
    assert "no prompt owner" in refused.json()["errors"]["accept_interim_owner"][0]
    confirmed = client.post(
        BASE,
        {"scenario": gap.pk, "title": "x", "severity": "SEV3", "accept_interim_owner": True},
        format="json",
    )
    assert confirmed.status_code == 201 and "prompt owner" in confirmed.json()["findings"]


def test_transitions_and_their_errors(cast: SimpleNamespace, incident: Any) -> None:
    url = f"{BASE}{incident.pk}/"
    assert _api(cast.outsider).post(f"{url}acknowledge/").status_code == 403
    assert _api(cast.incident_owner).get(f"{url}acknowledge/").status_code == 405
    done = _api(cast.incident_owner).post(f"{url}acknowledge/", {"comment": "On it"})
    assert done.status_code == 200 and done.json()["status"] == "acknowledged"
    again = _api(cast.incident_owner).post(f"{url}acknowledge/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"
    assert _api(cast.platform).post(f"{url}mitigate/").json()["status"] == "mitigated"
    assert _api(cast.product).post(f"{url}resolve/").json()["status"] == "resolved"
    assert _api(cast.product).post(f"{url}close/").status_code == 403
    assert _api(cast.incident_owner).post(f"{url}close/").json()["status"] == "closed"
    incident.refresh_from_db()
    assert incident.closed_at is not None


def test_close_sev1_without_postmortem_is_409_then_put_postmortem(cast: SimpleNamespace) -> None:
    incident = IncidentFactory(scenario=cast.scenario, status="resolved", severity="SEV1")
    url = f"{BASE}{incident.pk}/"
    owner = _api(cast.incident_owner)
    refused = owner.post(f"{url}close/")
    assert refused.status_code == 409 and refused.json()["code"] == "postmortem_required"
    assert owner.get(f"{url}postmortem/").status_code == 404
    payload = {
        "summary": "Stale index.",
        "timeline": "09:00 impact.",
        "contributing_factors": "No alert.",
        "what_went_well": "Fast rollback.",
        "action_items": [
            {"description": "Freshness alert", "owner": cast.platform.pk, "due_on": "2030-01-31"}
        ],
    }
    assert (
        owner.put(f"{url}postmortem/", {**payload, "action_items": []}, format="json").status_code
        == 400
    )
    assert _api(cast.product).put(f"{url}postmortem/", payload, format="json").status_code == 403
    saved = owner.put(f"{url}postmortem/", payload, format="json")
    assert saved.status_code == 200 and saved.json()["action_items"][0]["owner"] == cast.platform.pk
    assert owner.get(f"{url}postmortem/").json()["summary"] == "Stale index."
    assert owner.post(f"{url}close/").json()["status"] == "closed"
    assert owner.put(f"{url}postmortem/", payload, format="json").status_code == 409


def test_updates_and_hand_over(cast: SimpleNamespace, incident: Any) -> None:
    url = f"{BASE}{incident.pk}/"
    posted = _api(cast.outsider).post(f"{url}updates/", {"text": "Seen in French too."})
    assert posted.status_code == 201 and posted.json()["author"]["id"] == cast.outsider.pk
    assert _api(cast.outsider).post(f"{url}updates/", {"text": ""}).status_code == 400
    handed = _api(cast.incident_owner).post(f"{url}hand-over/", {"to": cast.helper.pk})
    assert handed.status_code == 200 and handed.json()["handed_to"]["id"] == cast.helper.pk
    assert _api(cast.outsider).post(f"{url}hand-over/", {"to": cast.helper.pk}).status_code == 403
    timeline = _api(cast.outsider).get(f"{url}updates/").json()
    assert [u["kind"] for u in timeline] == ["note", "hand_over"]


def test_rollback(cast: SimpleNamespace, incident: Any, live_pair: SimpleNamespace) -> None:
    url = f"{BASE}{incident.pk}/rollback/"
    payload = {"kind": "model", "release": live_pair.live.pk, "reason": "Bad answers"}
    assert _api(cast.outsider).post(url, payload).status_code == 403
    done = _api(cast.incident_owner).post(url, payload)
    assert done.status_code == 201, done.json()
    assert done.json()["restored_release"]["id"] == live_pair.old.pk
    again = _api(cast.incident_owner).post(url, payload)
    assert again.status_code == 409 and "Nothing to roll back" in again.json()["detail"]
    assert _api(cast.platform).post(url, {"kind": "model"}).status_code == 400
    detail = _api(cast.platform).get(f"{BASE}{incident.pk}/").json()
    assert [r["kind"] for r in detail["rollbacks"]] == ["model"]


def test_schema_documents_every_action_and_its_errors(cast: SimpleNamespace) -> None:
    schema = _api(cast.outsider).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for action in ("acknowledge", "mitigate", "resolve", "close", "rollback", "hand-over"):
        responses = paths[f"/api/v1/incidents/{{id}}/{action}/"]["post"]["responses"]
        assert {"400", "403", "404", "409"} <= set(responses), action
    assert {"get", "post"} <= set(paths["/api/v1/incidents/{id}/updates/"])
    assert {"get", "put"} <= set(paths["/api/v1/incidents/{id}/postmortem/"])
    params = {p["name"] for p in paths["/api/v1/incidents/"]["get"]["parameters"]}
    assert {"state", "severity", "scenario", "owner", "open_only", "q", "page"} <= params
    assert Incident.objects.count() == 0
