"""The API's filter backend skips django-filter only when that would change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from portal.core.filter_backend import FilterBackend


def _filtered_views() -> list[Any]:
    """Every API view class whose filter backends include ours, from the URL resolver."""
    found: dict[str, Any] = {}

    def walk(patterns: list[Any]) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns)
            elif isinstance(entry, URLPattern):
                view = getattr(entry.callback, "cls", None)
                if view and FilterBackend in getattr(view, "filter_backends", []):
                    found[view.__name__] = view
            else:  # pragma: no cover - the resolver holds nothing else
                raise AssertionError(entry)

    walk(get_resolver().url_patterns)
    return sorted(found.values(), key=lambda view: view.__name__)


VIEWS = _filtered_views()
NOT_FILTERS = ["", "?page=2", "?page=1&page_size=5&search=a&ordering=-id&format=json"]


def test_every_filtered_list_is_found() -> None:
    names = {view.__name__ for view in VIEWS}
    assert {"ScenarioViewSet", "ReleaseViewSet", "ExceptionViewSet", "IncidentViewSet"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("query", NOT_FILTERS)
@pytest.mark.parametrize("view_class", VIEWS, ids=[view.__name__ for view in VIEWS])
def test_without_filters_the_result_is_what_django_filter_gives(
    view_class: Any, query: str, admin_user: Any
) -> None:
    request, view = _request(view_class, query, admin_user)
    queryset = view.get_queryset()
    skipped = FilterBackend().filter_queryset(request, queryset, view)
    assert skipped is queryset
    full = DjangoFilterBackend().filter_queryset(request, queryset, view)
    assert str(full.query) == str(skipped.query)


@pytest.mark.django_db
@pytest.mark.parametrize("view_class", VIEWS, ids=[view.__name__ for view in VIEWS])
def test_a_filter_parameter_runs_django_filter(view_class: Any, admin_user: Any) -> None:
    request, view = _request(view_class, "?page=1&nonsense=1", admin_user)
    queryset = view.get_queryset()
    backend = FilterBackend()
    if backend.get_filterset_class(view, queryset) is None:
        assert backend.filter_queryset(request, queryset, view) is queryset
    else:  # django-filter builds its filter set, which returns a new queryset
        assert backend.filter_queryset(request, queryset, view) is not queryset


def _request(view_class: Any, query: str, user: Any) -> tuple[Request, Any]:
    django_request = APIRequestFactory().get("/api/v1/x/" + query)
    django_request.user = user
    view = view_class()
    view.action_map = {"get": "list"}
    view.setup(django_request)
    request = view.initialize_request(django_request)
    request.user = user
    view.request = request
    view.action = "list"
    view.format_kwarg = None
    return request, view
