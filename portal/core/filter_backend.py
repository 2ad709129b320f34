"""django-filter's backend for the API, skipping django-filter when a request names no filter.

Kept because the benchmark shows it is needed (README, Benchmarks: "Hand-written machinery"):
without it the API scenario list costs about a third more and misses its target.
`tests/core/test_filter_backend.py` holds it equal to `DjangoFilterBackend`."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.settings import api_settings


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, which does nothing when the request names no filter: it then
    returns the queryset as it came, without building the filter set (a deep copy of every
    filter and a form), which cost more than the rest of an unfiltered list request's work."""

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        paginator = getattr(view, "paginator", None)
        not_filters = {
            "format",
            api_settings.SEARCH_PARAM,
            api_settings.ORDERING_PARAM,
            getattr(paginator, "page_query_param", None),
            getattr(paginator, "page_size_query_param", None),
        }
        if set(request.query_params) <= not_filters:
            return queryset
        return super().filter_queryset(request, queryset, view)

    def get_filterset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            _refuse_unknown_booleans(filterset.filters, request.query_params)
        return filterset


# What django-filter's boolean widget understands; it reads anything else as "no filter".
BOOLEAN_VALUES = {"", "true", "false", "True", "False", "1", "0"}


def _refuse_unknown_booleans(filters: dict[str, Any], params: Any) -> None:
    errors = {
        name: [_("Either true or false; got %(value)r.") % {"value": params[name][:20]}]
        for name, filter_ in filters.items()
        if isinstance(filter_, django_filters.BooleanFilter)
        and name in params
        and params[name] not in BOOLEAN_VALUES
    }
    if errors:
        raise exceptions.ValidationError(errors)
