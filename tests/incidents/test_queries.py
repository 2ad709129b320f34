"""Query counts on the list and the incident page stay flat as rows grow."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from incidents.models import ActionItem, Postmortem, RollbackAction
from portal.core.audit import record_transition
from tests.factories import UserFactory
from tests.incidents.factories import IncidentFactory, IncidentUpdateFactory
from tests.releases.factories import ReleaseFactory
from tests.scenarios.factories import ScenarioFactory, ToolFactory

pytestmark = pytest.mark.django_db


def _count(fetch: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    assert response.status_code == 200
    return len(captured.captured_queries)


def _grow_list(cast: SimpleNamespace, product_team: Any, n: int) -> None:
    for i in range(n):
        scenario = ScenarioFactory(status="onboarded", team=product_team)
        IncidentFactory(scenario=scenario, handed_to=cast.helper if i % 2 else None)


def _grow_detail(cast: SimpleNamespace, incident: Any, n: int) -> None:
    postmortem, _ = Postmortem.objects.get_or_create(
        incident=incident,
        defaults={
            "summary": "s",
            "timeline": "t",
            "contributing_factors": "c",
            "what_went_well": "w",
            "author": cast.incident_owner,
        },
    )
    for i in range(n):
        author = UserFactory()
        IncidentUpdateFactory(incident=incident, author=author)
        release = ReleaseFactory(scenario=cast.scenario, status="released")
        RollbackAction.objects.create(
            incident=incident,
            kind="tool",
            release=release,
            tool=ToolFactory(),
            actor=author,
            reason="r",
        )
        ActionItem.objects.create(
            postmortem=postmortem,
            description=f"item {i}",
            owner=author,
            due_on=dt.date(2030, 1, 1),
        )
        cast.scenario.allowed_tools.add(ToolFactory())
        record_transition(
            incident, transition="hand_over", source="open", target="open", actor=author
        )
    incident.escalation_path = [*incident.escalation_path, *(UserFactory().pk for _ in range(n))]
    incident.save(update_fields=["escalation_path"])


@pytest.mark.parametrize("api", [False, True])
def test_list_queries_are_flat(
    cast: SimpleNamespace, product_team: Any, api: bool, django_assert_num_queries: Any
) -> None:
    client: Any = APIClient() if api else Client()
    client.force_login(cast.platform)
    url = "/api/v1/incidents/" if api else "/incidents/?open_only=on&q=Incident"
    _grow_list(cast, product_team, 2)
    small = _count(lambda: client.get(url))
    # The page: two of its queries are the response-time figures at the top, one each.
    assert small <= (2 if api else 6)
    _grow_list(cast, product_team, 8)
    with django_assert_num_queries(small):
        client.get(url)


@pytest.mark.parametrize("api", [False, True])
def test_detail_queries_are_flat(
    cast: SimpleNamespace, api: bool, django_assert_num_queries: Any
) -> None:
    incident = IncidentFactory(scenario=cast.scenario, severity="SEV2", status="mitigated")
    ReleaseFactory(scenario=cast.scenario, status="released")
    client: Any = APIClient() if api else Client()
    client.force_login(cast.incident_owner)
    url = f"/api/v1/incidents/{incident.pk}/" if api else f"/incidents/{incident.pk}/"
    _grow_detail(cast, incident, 1)
    small = _count(lambda: client.get(url))
    assert small <= 30
    _grow_detail(cast, incident, 5)
    with django_assert_num_queries(small):
        client.get(url)
