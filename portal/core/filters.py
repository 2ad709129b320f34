"""Filters of the audit trail API."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from portal.core.audit import content_type_named, on_days
from portal.core.long_choices import PersonChoiceFilter
from portal.core.models import AuditEntry, User


class AuditFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name = data.get("object_type")
        if name:
            data["object_type"] = content_type_named(name)
            if data["object_type"] is None:
                self.add_error("object_type", _("No such object type: %(name)s.") % {"name": name})
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the range must not be before its start."))
        return data


class AuditEntryFilter(django_filters.FilterSet):
    object_type = django_filters.CharFilter(
        method="filter_object_type",
        help_text="`app_label.model`, e.g. `releases.release`, `exceptions.platformexception`.",
    )
    object_id = django_filters.CharFilter(help_text="The object's id (with `object_type`).")
    actor = PersonChoiceFilter(
        queryset=User.objects.all(), help_text="User id or username of the person who acted."
    )
    action = django_filters.CharFilter(
        field_name="transition", help_text="Transition name, e.g. `submit`."
    )
    since = django_filters.DateFilter(method="filter_days", help_text="From this day (local).")
    until = django_filters.DateFilter(
        method="filter_days", help_text="Up to and including this day (local)."
    )

    class Meta:
        model = AuditEntry
        fields = ["object_type", "object_id", "actor", "action", "since", "until"]
        form = AuditFilterForm

    def filter_object_type(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.filter(content_type=value)

    def filter_days(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        if name == "since":
            return on_days(queryset, value, None)
        return on_days(queryset, None, value)
