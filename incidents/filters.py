"""The incident list filters, shared by the HTML list and the API (one definition, one schema)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident, Severity
from portal.core.long_choices import LongModelChoiceFilter, PersonChoiceFilter
from portal.core.models import User
from scenarios.models import Scenario


def _scenarios(request: Any) -> QuerySet[Scenario]:
    return Scenario.objects.exclude(status=Scenario.Status.DRAFT).order_by("name", "id")


def _people(request: Any) -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


class IncidentFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        field_name="status", choices=Incident.Status.choices, label=_("State"), empty_label=_("Any")
    )
    severity = django_filters.ChoiceFilter(
        choices=Severity.choices, label=_("Severity"), empty_label=_("Any")
    )
    scenario = LongModelChoiceFilter(queryset=_scenarios, label=_("Scenario"), empty_label=_("Any"))
    owner = PersonChoiceFilter(
        queryset=_people,
        method="filter_owner",
        label=_("Owner"),
        empty_label=_("Anyone"),
        help_text=_("Any of the incident's owners, or whom it was handed to."),
    )
    open_only = django_filters.BooleanFilter(
        method="filter_open_only",
        label=_("Open only (not yet resolved)"),
        widget=forms.CheckboxInput,
    )
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))

    class Meta:
        model = Incident
        fields: list[str] = []

    def filter_owner(self, queryset: QuerySet[Incident], name: str, value: Any) -> Any:
        if not value:
            return queryset
        return queryset.filter(
            Q(product_owner=value)
            | Q(platform_owner=value)
            | Q(prompt_owner=value)
            | Q(incident_owner=value)
            | Q(handed_to=value)
        )

    def filter_open_only(self, queryset: QuerySet[Incident], name: str, value: Any) -> Any:
        return queryset.filter(status__in=Incident.ACTIVE_STATES) if value else queryset

    def filter_search(self, queryset: QuerySet[Incident], name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(scenario__name__icontains=value)
        )
