""" "My work" lists the waiting items themselves, not only how many, in a bounded number of
queries."""

from __future__ import annotations

from typing import Any

import pytest

from exceptions.models import PlatformException
from portal.core.selectors import WORK_CARD_ITEMS
from tests.releases.factories import ReleaseFactory
from tests.scenarios.factories import PlatformExceptionFactory, ScenarioFactory

pytestmark = pytest.mark.django_db


def _waiting_for(quality_owner: Any, n: int) -> None:
    scenario = ScenarioFactory(status="onboarded", quality_owner=quality_owner)
    for _ in range(n):
        ReleaseFactory(scenario=scenario, status="submitted")
        PlatformExceptionFactory(scenario=scenario)


def test_each_card_lists_its_first_items_with_links(
    client: Any, quality_owner: Any, platform_reviewer: Any
) -> None:
    _waiting_for(quality_owner, 2)
    client.force_login(quality_owner)
    work = client.get("/").context["work"]
    releases = work["release_signoffs"]
    assert releases["count"] == 2 and len(releases["items"]) == 2
    html = client.get("/").content.decode()
    for item in releases["items"]:
        assert f'<a href="{item["url"]}">' in html and item["url"].startswith("/releases/")
    client.force_login(platform_reviewer)
    decide = client.get("/").context["work"]["exceptions_to_decide"]
    assert decide["count"] == 2
    assert {item["title"] for item in decide["items"]} <= {
        str(exc) for exc in PlatformException.objects.all()
    }


def test_a_long_list_shows_the_first_few_and_a_link_to_all(client: Any, quality_owner: Any) -> None:
    _waiting_for(quality_owner, WORK_CARD_ITEMS + 2)
    client.force_login(quality_owner)
    response = client.get("/")
    card = response.context["work"]["release_signoffs"]
    assert card["count"] == WORK_CARD_ITEMS + 2 and len(card["items"]) == WORK_CARD_ITEMS
    assert f"All {WORK_CARD_ITEMS + 2}</a>" in response.content.decode()


def test_cards_count_no_further_than_the_lists(
    client: Any, quality_owner: Any, platform_reviewer: Any, monkeypatch: Any
) -> None:
    from portal.core import selectors as core_selectors
    from releases import selectors as release_selectors

    for module in (core_selectors, release_selectors):
        monkeypatch.setattr(module, "WORK_CARD_COUNT_BOUND", 3)
    _waiting_for(quality_owner, 4)
    client.force_login(quality_owner)
    response = client.get("/")
    card = response.context["work"]["release_signoffs"]
    assert (card["count"], card["count_is_exact"], len(card["items"])) == (3, False, 4)
    html = response.content.decode()
    assert '<p class="big-number">More than 3</p>' in html and "All of them</a>" in html
    client.force_login(platform_reviewer)  # a queryset card, bounded the same way
    decide = client.get("/").context["work"]["exceptions_to_decide"]
    assert (decide["count"], decide["count_is_exact"]) == (3, False)
    monkeypatch.setattr(core_selectors, "WORK_CARD_COUNT_BOUND", 4)
    monkeypatch.setattr(release_selectors, "WORK_CARD_COUNT_BOUND", 4)
    decide = client.get("/").context["work"]["exceptions_to_decide"]
    assert (decide["count"], decide["count_is_exact"]) == (4, True)


@pytest.mark.parametrize("people", ["quality_owner", "platform_reviewer"])
def test_the_page_costs_the_same_with_more_waiting(
    client: Any,
    quality_owner: Any,
    people: str,
    request: pytest.FixtureRequest,
    django_assert_max_num_queries: Any,
) -> None:
    user = request.getfixturevalue(people)
    client.force_login(user)
    _waiting_for(quality_owner, 2)
    client.get("/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/")
    _waiting_for(quality_owner, 3 * WORK_CARD_ITEMS)
    with django_assert_max_num_queries(len(few)):
        client.get("/")
