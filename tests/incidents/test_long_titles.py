"""Titles as long as the API allows, with the characters people type, still send their email."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from portal.core.models import OutboundEmail

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_incident_with_the_longest_title_opens_and_its_email_is_queued(
    cast: SimpleNamespace,
) -> None:
    client = APIClient()
    client.force_authenticate(cast.outsider)
    title = "Refunds & 'returns' " * 10  # 200 characters, the API's limit
    response = client.post(
        "/api/v1/incidents/", {"scenario": cast.scenario.pk, "title": title, "severity": "SEV3"}
    )
    assert response.status_code == 201, response.content
    email = OutboundEmail.objects.get(template="incident_opened")
    assert len(email.subject) <= 255
    assert email.subject.startswith("SEV3 incident on Support answers: acknowledge it — Refunds &")
    assert "&amp;" not in email.subject and "&#x27;" not in email.subject
