"""The register's filters, shared by the browser page and the API so both filter alike."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from exceptions import selectors
from exceptions.models import PlatformException
from portal.core.long_choices import LongModelChoiceFilter
from portal.core.models import Team
from scenarios.models import Scenario

EXPIRY_CHOICES = [
    ("7", _("Expiring within 7 days")),
    ("30", _("Expiring within 30 days")),
    ("expired", _("Expired (or past expiry)")),
]


def _scenarios_with_exceptions(request: Any) -> QuerySet[Scenario]:
    # Only scenarios that have exceptions: keeps the list short and never names a draft that
    # nobody outside its team may see. A semi-join, not a join made DISTINCT: that sorted
    # every exception's copy of its scenario's row (122 ms with 30,000 exceptions).
    has_exceptions = Exists(PlatformException.objects.filter(scenario=OuterRef("pk")))
    return Scenario.objects.filter(has_exceptions).only("id", "name").order_by("name")


class ExceptionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.ChoiceFilter(
        choices=PlatformException.Status.choices, label=_("State"), empty_label=_("Any state")
    )
    kind = django_filters.ChoiceFilter(
        choices=PlatformException.Kind.choices, label=_("Kind"), empty_label=_("Any kind")
    )
    scenario = LongModelChoiceFilter(
        queryset=_scenarios_with_exceptions, label=_("Scenario"), empty_label=_("Any scenario")
    )
    team = django_filters.ModelChoiceFilter(
        queryset=Team.objects.order_by("name"),
        to_field_name="slug",
        label=_("Team"),
        empty_label=_("Any team"),
        help_text=_("Team slug."),
    )
    expiry = django_filters.ChoiceFilter(
        choices=EXPIRY_CHOICES,
        method="filter_expiry",
        label=_("Expiry"),
        empty_label=_("Any expiry"),
    )

    class Meta:
        model = PlatformException
        fields = ["q", "status", "kind", "scenario", "team", "expiry"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(selectors.search_q(value)) if value.strip() else queryset

    def filter_expiry(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "expired":
            return queryset.filter(selectors.expired_q())
        return queryset.filter(selectors.expiring_within_q(int(value)))
