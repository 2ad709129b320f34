from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator

from portal.core.token_services import DEFAULT_DAYS, MAX_DAYS


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What uses it, e.g. “support-bot release pipeline”.",
    )
    expires_in_days = forms.IntegerField(
        label="Expires in (days)",
        initial=DEFAULT_DAYS,
        min_value=1,
        max_value=MAX_DAYS,
        help_text=f"{DEFAULT_DAYS} days unless you need otherwise; at most {MAX_DAYS}.",
    )


class ListedChoiceIterator(ModelChoiceIterator):
    """Reads the choices with one plain query. Django's iterator streams them through a
    server-side cursor, which on PostgreSQL costs three round trips (declare, fetch, close):
    worth it for a huge table, not for the few dozen people or teams of a select."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ListedModelChoiceField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator
