"""GET /api/v1/incidents/{id}/history/: the incident's audit trail, a page at a time, for
everyone who may read the incident."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from incidents import services
from portal.core.audit import record_transition

pytestmark = pytest.mark.django_db


def _url(incident: Any) -> str:
    return f"/api/v1/incidents/{incident.pk}/history/"


def test_history_is_the_audit_trail(api_client: Any, cast: SimpleNamespace, incident: Any) -> None:
    services.incident_acknowledge(incident.pk, actor=cast.incident_owner)
    api_client.force_authenticate(cast.outsider)
    response = api_client.get(_url(incident))
    assert response.status_code == 200
    body = response.json()
    transitions = [(e["transition"], e["target"]) for e in body["results"]]
    assert transitions[-1] == ("acknowledge", "acknowledged")
    assert body["results"][-1]["actor"]["username"] == "incident"
    assert body["count"] == len(transitions) and body["count_is_exact"] is True


def test_missing_or_anonymous(api_client: Any, cast: SimpleNamespace, incident: Any) -> None:
    assert api_client.get(_url(incident)).status_code == 401
    api_client.force_authenticate(cast.outsider)
    assert api_client.get("/api/v1/incidents/999999/history/").status_code == 404
    assert api_client.get("/api/v1/incidents/abc/history/").status_code == 404
    assert api_client.delete(_url(incident)).status_code == 405


def test_history_is_documented(api_client: Any, outsider: Any) -> None:
    api_client.force_authenticate(outsider)
    schema = api_client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/incidents/{id}/history/"]["get"]
    assert {"200", "401", "403", "404"} <= set(operation["responses"])
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert page.endswith("/PaginatedAuditEntryList")
    assert {p["name"] for p in operation["parameters"]} == {"id", "page", "page_size"}


@pytest.mark.parametrize("count", [5, 100])
def test_history_queries_do_not_grow(
    api_client: Any,
    cast: SimpleNamespace,
    incident: Any,
    count: int,
    django_assert_num_queries: Any,
) -> None:
    for n in range(count):
        record_transition(incident, transition=f"t{n}", source="a", target="b", actor=cast.product)
    api_client.force_authenticate(cast.outsider)
    api_client.get(_url(incident))  # warm the content type cache
    with django_assert_num_queries(3):  # the incident, the count, the page of entries
        assert len(api_client.get(_url(incident)).json()["results"]) == min(count, 25)
