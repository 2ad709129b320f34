"""Bounded counts: exact below the bound, a lower bound above it, and Next works on every page."""

from __future__ import annotations

from typing import Any

import pytest

from portal.core.models import Team
from portal.core.pagination import BoundedPaginator
from tests.scenarios.factories import ScenarioFactory


def test_exact_below_the_bound() -> None:
    paginator = BoundedPaginator(list(range(30)), 10, number=1, bound=50)
    assert paginator.count == 30
    assert paginator.count_is_exact is True
    assert paginator.num_pages == 3


def test_lower_bound_above_it_and_next_page_always_reachable() -> None:
    rows = list(range(500))
    first = BoundedPaginator(rows, 10, number=1, bound=50)
    assert first.count == 50
    assert first.count_is_exact is False
    page = first.get_page(5)
    assert list(page.object_list) == list(range(40, 50))
    assert not page.has_next()  # a paginator serves the page it was built for, and the next
    assert BoundedPaginator(rows, 10, number=5, bound=50).get_page(5).has_next()
    # Asking for a page past the first bound counts far enough to serve it and the next one.
    deep = BoundedPaginator(rows, 10, number=12, bound=50)
    page = deep.get_page(12)
    assert list(page.object_list) == list(range(110, 120))
    assert page.has_next()
    assert deep.count_is_exact is False
    # The true last page is exact again.
    last = BoundedPaginator(rows, 10, number=50, bound=50)
    page = last.get_page(50)
    assert list(page.object_list) == list(range(490, 500))
    assert not page.has_next()
    assert last.count == 500
    assert last.count_is_exact is True


@pytest.mark.parametrize("number", [None, "", "abc", "-3", "0"])
def test_bad_page_numbers_count_as_the_first_page(number: Any) -> None:
    paginator = BoundedPaginator(list(range(100)), 10, number=number, bound=20)
    assert paginator.count == 20
    assert paginator.count_is_exact is False


@pytest.mark.django_db
def test_queryset_count_reads_at_most_the_bound(django_assert_num_queries: Any) -> None:
    team = Team.objects.create(name="T", slug="t")
    ScenarioFactory.create_batch(7, team=team)
    from scenarios.models import Scenario

    paginator = BoundedPaginator(Scenario.objects.order_by("pk"), 2, number=1, bound=4)
    with django_assert_num_queries(1) as ctx:
        assert paginator.count == 4
    assert "LIMIT 5" in ctx.captured_queries[0]["sql"]
    assert paginator.count_is_exact is False


@pytest.mark.django_db
def test_the_count_leaves_the_order_out_unless_it_decides_distinct_rows(
    django_assert_num_queries: Any,
) -> None:
    team = Team.objects.create(name="T", slug="t")
    ScenarioFactory.create_batch(3, team=team)
    from scenarios.models import Scenario

    ordered = Scenario.objects.order_by("-name", "pk")
    with django_assert_num_queries(1) as ctx:
        assert BoundedPaginator(ordered, 2, number=1, bound=4).count == 3
    assert "ORDER BY" not in ctx.captured_queries[0]["sql"]
    distinct = Scenario.objects.order_by("name").distinct()
    with django_assert_num_queries(1) as ctx:
        assert BoundedPaginator(distinct, 2, number=1, bound=4).count == 3
    assert "ORDER BY" in ctx.captured_queries[0]["sql"]


@pytest.mark.django_db
def test_scenario_list_page_and_api_say_when_the_count_is_a_lower_bound(
    settings: Any, monkeypatch: Any, platform_reviewer: Any, client: Any, api_client: Any
) -> None:
    monkeypatch.setattr("portal.core.pagination.DEFAULT_BOUND", 3)
    monkeypatch.setattr("portal.core.pagination.PAGE_SIZE", 1)
    ScenarioFactory.create_batch(6)
    client.force_login(platform_reviewer)
    html = client.get("/scenarios/?page=1").content.decode()
    assert "More than 3 scenarios" in html
    assert "Page 1 of 3+" in html
    assert 'rel="next"' in html
    html = client.get("/scenarios/?page=6").content.decode()
    assert "6 scenarios" in html
    assert 'rel="next"' not in html
    api_client.force_authenticate(platform_reviewer)
    body = api_client.get("/api/v1/scenarios/?page_size=2").json()
    assert body["count_is_exact"] is False
    assert body["next"] is not None
    everything = api_client.get("/api/v1/scenarios/?page_size=50").json()
    assert everything["count"] == 6
    assert everything["count_is_exact"] is True


def test_the_query_string_helper_keeps_filters_and_drops_the_page() -> None:
    from django.http import QueryDict

    from portal.core.pagination import querystring_without_page

    assert querystring_without_page(QueryDict("status=open&page=3&q=a+b")) == "status=open&q=a+b&"
    assert querystring_without_page(QueryDict("page=2")) == ""


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/releases/", "/incidents/", "/exceptions/", "/support/"])
def test_every_list_page_counts_with_the_bounded_paginator(
    path: str, monkeypatch: Any, platform_reviewer: Any, client: Any
) -> None:
    from django.core.paginator import Page

    seen: list[Any] = []
    original = Page.__init__

    def spy(self: Any, object_list: Any, number: Any, paginator: Any) -> None:
        seen.append(paginator)
        original(self, object_list, number, paginator)

    monkeypatch.setattr(Page, "__init__", spy)
    client.force_login(platform_reviewer)
    assert client.get(path).status_code == 200
    from portal.core.pagination import BoundedPaginator

    assert seen and all(isinstance(p, BoundedPaginator) for p in seen)
