"""Query counts of the list, inbox and release page stay flat as releases pile up."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from portal.core.audit import record_transition
from releases.models import ReleasePolicy
from tests.releases.factories import ReleaseFactory, SignOffFactory

pytestmark = pytest.mark.django_db

SIZES = [10, 200]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pile(scenario: Any, author: Any, count: int, status: str = "submitted") -> list[Any]:
    return ReleaseFactory.create_batch(
        count, scenario=scenario, author=author, status=status, alias_name="support-chat"
    )


@pytest.fixture(autouse=True)
def _policy(db: Any) -> None:
    ReleasePolicy.current()


@pytest.mark.parametrize("count", SIZES)
def test_list_page(
    scenario: Any, author: Any, quality_owner: Any, count: int, django_assert_num_queries: Any
) -> None:
    _pile(scenario, author, count)
    client = _client(quality_owner)
    client.get("/releases/")  # warm the session
    with django_assert_num_queries(4):  # the session and the user come from the cache
        response = client.get("/releases/?awaiting=on")
    assert response.status_code == 200
    assert len(response.context["releases"]) == min(count, 25)


@pytest.mark.parametrize("count", SIZES)
def test_inbox(
    scenario: Any, author: Any, quality_owner: Any, count: int, django_assert_num_queries: Any
) -> None:
    _pile(scenario, author, count)
    _pile(scenario, author, count // 2, status="approved")
    client = _client(quality_owner)
    client.get("/releases/")
    with django_assert_num_queries(2):
        response = client.get("/releases/sign-offs/")
    assert len(response.context["items"]) == min(count, 25)
    assert response.context["page_obj"].paginator.count == count


@pytest.mark.parametrize("count", SIZES)
def test_my_work_card(
    scenario: Any, author: Any, quality_owner: Any, count: int, django_assert_num_queries: Any
) -> None:
    from portal.core.selectors import WORK_CARD_ITEMS
    from releases.selectors import work_for

    _pile(scenario, author, count)
    # Which kinds the user signs, the first items with the exact count, the rejected releases.
    with django_assert_num_queries(3):
        card = work_for(quality_owner)["release_signoffs"]
    assert card["count"] == count and len(card["items"]) == min(count, WORK_CARD_ITEMS)


@pytest.mark.parametrize("count", SIZES)
def test_release_page(
    scenario: Any,
    author: Any,
    quality_owner: Any,
    cost_owner: Any,
    count: int,
    django_assert_num_queries: Any,
) -> None:
    _pile(scenario, author, count, status="released")
    release = ReleaseFactory(scenario=scenario, author=author, status="submitted", revision=count)
    for revision in range(1, count + 1):
        SignOffFactory(release=release, revision=revision, kind="quality", actor=quality_owner)
        record_transition(
            release, transition="submit", source="draft", target="submitted", actor=author
        )
    client = _client(cost_owner)
    client.get("/releases/")
    with django_assert_num_queries(7):
        response = client.get(release.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["entries"]) == count


@pytest.mark.parametrize("count", SIZES)
def test_api_list(
    scenario: Any, author: Any, quality_owner: Any, count: int, django_assert_num_queries: Any
) -> None:
    from rest_framework.test import APIClient

    _pile(scenario, author, count)
    client = APIClient()
    client.force_authenticate(quality_owner)
    with django_assert_num_queries(3):
        response = client.get("/api/v1/releases/?awaiting=true")
    assert response.json()["count"] == count


@pytest.mark.parametrize("count", SIZES)
def test_api_detail(
    scenario: Any, author: Any, quality_owner: Any, count: int, django_assert_num_queries: Any
) -> None:
    from rest_framework.test import APIClient

    _pile(scenario, author, count, status="released")
    release = ReleaseFactory(scenario=scenario, author=author, status="submitted", revision=count)
    for revision in range(1, count + 1):
        SignOffFactory(release=release, revision=revision, kind="quality", actor=quality_owner)
    client = APIClient()
    client.force_authenticate(quality_owner)
    with django_assert_num_queries(2):
        response = client.get(f"/api/v1/releases/{release.pk}/")
    assert len(response.json()["signoffs"]) == count
