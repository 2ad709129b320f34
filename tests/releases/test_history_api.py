"""GET /api/v1/releases/{id}/history/: the release's audit trail, a page at a time, for whoever
may read the release."""

from __future__ import annotations

from typing import Any

import pytest

from portal.core.audit import record_transition
from releases import services

pytestmark = pytest.mark.django_db


def _url(release: Any) -> str:
    return f"/api/v1/releases/{release.pk}/history/"


def test_history_is_the_audit_trail_oldest_first(
    api_client: Any, make_release: Any, author: Any, outsider: Any
) -> None:
    release = make_release()
    services.release_submit(release.pk, actor=author)
    api_client.force_authenticate(outsider)
    response = api_client.get(_url(release))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["count_is_exact"] is True
    [entry] = body["results"]
    assert (entry["transition"], entry["source"], entry["target"]) == (
        "submit",
        "draft",
        "submitted",
    )
    assert entry["actor"]["username"] == "author"


def test_drafts_history_only_for_those_who_see_the_draft(
    api_client: Any, make_release: Any, author: Any, outsider: Any, platform_reviewer: Any
) -> None:
    draft = make_release()
    api_client.force_authenticate(outsider)
    assert api_client.get(_url(draft)).status_code == 404
    api_client.force_authenticate(platform_reviewer)
    assert api_client.get(_url(draft)).json()["results"] == []
    assert api_client.get("/api/v1/releases/999999/history/").status_code == 404
    assert api_client.post(_url(draft)).status_code == 405
    api_client.logout()
    assert api_client.get(_url(draft)).status_code == 401


def test_history_pages(api_client: Any, make_release: Any, author: Any) -> None:
    release = make_release("submitted")
    for n in range(30):
        record_transition(release, transition=f"t{n}", source="a", target="b", actor=author)
    api_client.force_authenticate(author)
    first = api_client.get(_url(release)).json()
    assert len(first["results"]) == 25 and first["next"]
    assert [e["transition"] for e in first["results"]][:2] == ["t0", "t1"]
    last = api_client.get(f"{_url(release)}?page=2").json()
    assert [e["transition"] for e in last["results"]][-1] == "t29"
    assert api_client.get(f"{_url(release)}?page=9").status_code == 404


def test_history_is_documented(api_client: Any, outsider: Any) -> None:
    api_client.force_authenticate(outsider)
    schema = api_client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/releases/{id}/history/"]["get"]
    assert {"200", "401", "403", "404"} <= set(operation["responses"])
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert page.endswith("/PaginatedAuditEntryList")
    assert {p["name"] for p in operation["parameters"]} == {"id", "page", "page_size"}


@pytest.mark.parametrize("count", [5, 100])
def test_history_queries_do_not_grow(
    api_client: Any, make_release: Any, author: Any, count: int, django_assert_num_queries: Any
) -> None:
    release = make_release("submitted")
    for n in range(count):
        record_transition(release, transition=f"t{n}", source="a", target="b", actor=author)
    api_client.force_authenticate(author)
    api_client.get(_url(release))  # warm the content type cache
    with django_assert_num_queries(3):  # the release, the count, the page of entries
        assert len(api_client.get(_url(release)).json()["results"]) == min(count, 25)
