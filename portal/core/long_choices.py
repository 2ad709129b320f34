"""Choice fields over lists that grow with the company (scenarios, above all).

A select lists every object of its queryset. With ten thousand scenarios that is a page of ten
thousand options, a second to render and useless to scroll. `LongModelChoiceField` reads at most
`settings.SELECT_OPTIONS_LIMIT` options plus one (one sliced query, as a select runs one query
anyway): within the limit it is the select it always was; past it, the page shows a text box
that takes the object's number or its exact name (`name_field`) and validates it against the
same queryset, so the choice is as narrow as the select's, and the form still works without
JavaScript. `LongModelChoiceFilter` is the same for django-filter's filter bars and the API
filters that share them; `PersonChoiceField` and `PersonChoiceFilter` pick people, by username.
Several fields that list the same objects read them once: `read` the rows (at most the limit
plus one) and `share` them with each field.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy

from portal.core.selectors import PERSON_COLUMNS


def options_limit() -> int:
    return int(settings.SELECT_OPTIONS_LIMIT)


class _LimitedIterator(ModelChoiceIterator):
    """The field's choices, read with one query of at most the limit plus one rows."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in _labelled(self.queryset, getattr(self.field, "label_columns", ())):
            yield self.choice(obj)


class LongSelect(forms.Select):
    """A select while its options fit the limit, a text box past it."""

    placeholder: Any = gettext_lazy("Number or exact name")

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> Any:
        listed = list(islice(iter(self.choices), options_limit() + 2))
        if sum(1 for option, _label in listed if option != "") > options_limit():
            box = forms.TextInput(attrs={**self.attrs, "placeholder": str(self.placeholder)})
            return box.render(name, "" if value is None else value, attrs, renderer)
        self.choices = listed
        return super().render(name, value, attrs, renderer)


class LongModelChoiceField(forms.ModelChoiceField):
    iterator = _LimitedIterator
    widget = LongSelect
    default_error_messages = {
        "ambiguous": gettext_lazy(
            "Several match “%(value)s”: give the number instead (it is on the object's page)."
        ),
    }

    name_field = "name"
    # The columns an option's label reads (`str(obj)`), if they are fewer than the row's: the
    # options then load only those. A scenario's label is its name.
    label_columns: tuple[str, ...] = ("name",)
    placeholder: Any = LongSelect.placeholder

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.name_field = kwargs.pop("name_field", self.name_field)
        self.label_columns = kwargs.pop("label_columns", self.label_columns)
        super().__init__(*args, **kwargs)
        if isinstance(self.widget, LongSelect):
            self.widget.placeholder = self.placeholder

    def to_python(self, value: Any) -> Any:
        typed = value.strip() if isinstance(value, str) else value
        queryset = self.queryset
        by_number = not isinstance(typed, str) or typed in self.empty_values or typed.isdigit()
        if queryset is None or by_number:  # the select's way: the primary key
            return super().to_python(typed)
        found = list(queryset.filter(**{f"{self.name_field}__iexact": typed})[:2])
        if len(found) > 1:
            raise ValidationError(
                self.error_messages["ambiguous"], code="ambiguous", params={"value": typed}
            )
        if not found:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": typed},
            )
        return found[0]


class PersonChoiceField(LongModelChoiceField):
    name_field = "username"
    label_columns = PERSON_COLUMNS
    placeholder = gettext_lazy("Username or number")


class LongModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = LongModelChoiceField


class PersonChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = PersonChoiceField


def _labelled(queryset: QuerySet[Any], columns: tuple[str, ...]) -> QuerySet[Any]:
    """At most the limit plus one rows, with only the columns their labels read (if named)."""
    return (queryset.only(*columns) if columns else queryset)[: options_limit() + 1]


def read(field_class: type[LongModelChoiceField], queryset: QuerySet[Any]) -> list[Any]:
    """The rows several fields of `field_class` list, read once, as each would read them."""
    return list(_labelled(queryset, field_class.label_columns))


def share(field: forms.ModelChoiceField, rows: list[Any]) -> None:
    """Render `field` from rows already `read` (it still validates against its queryset)."""
    field.choices = [("", field.empty_label or "---------"), *((row.pk, str(row)) for row in rows)]
