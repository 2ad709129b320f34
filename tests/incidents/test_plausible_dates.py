"""Implausible impact times and due dates are refused by the incident API and forms."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client
from rest_framework.test import APIClient

from incidents.models import Incident
from tests.incidents.factories import IncidentFactory


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0001-01-01", "1970-01-01T00:00Z", "2999-01-01T00:00Z"])
def test_incident_api_refuses_an_implausible_impact_start(
    cast: SimpleNamespace,
    value: str,
) -> None:
    client = APIClient()
    client.force_authenticate(cast.outsider)
    body = {"scenario": cast.scenario.pk, "title": "Down", "severity": "SEV3"}
    response = client.post("/api/v1/incidents/", {**body, "impact_started_at": value})
    assert response.status_code == 400, response.content
    assert "Enter a date between 2000-01-01" in response.json()["errors"]["impact_started_at"][0]
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_incident_form_refuses_an_implausible_impact_start(
    cast: SimpleNamespace,
) -> None:
    client = Client()
    client.force_login(cast.outsider)
    response = client.post(
        f"/incidents/new/?scenario={cast.scenario.pk}",
        {"title": "Down", "severity": "SEV3", "impact_started_at": "0001-01-01T00:00"},
    )
    assert "Enter a date between 2000-01-01" in response.content.decode()
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_postmortem_action_item_due_date_must_be_plausible(
    cast: SimpleNamespace,
) -> None:
    incident = IncidentFactory(scenario=cast.scenario, status="resolved", severity="SEV1")
    client = APIClient()
    client.force_authenticate(cast.incident_owner)
    item = {"description": "Alert", "owner": cast.platform.pk, "due_on": "9999-12-31"}
    payload = {
        "summary": "s",
        "timeline": "t",
        "contributing_factors": "c",
        "what_went_well": "w",
        "action_items": [item],
    }
    url = f"/api/v1/incidents/{incident.pk}/postmortem/"
    response = client.put(url, payload, format="json")
    assert response.status_code == 400, response.content
    assert "Enter a date between" in str(response.json()["errors"]["action_items"])
    assert client.get(url).status_code == 404
