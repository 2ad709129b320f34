"""`get_FOO_display()` with cached labels says what Django's own method says, for every model
that uses the mixin, every field with choices and every value (and one that is no choice)."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import models

from portal.core.choice_labels import ChoiceLabels

MODELS = sorted(
    (model for model in apps.get_models() if issubclass(model, ChoiceLabels)),
    key=lambda model: model._meta.label,
)
FIELDS = [
    (model, field)
    for model in MODELS
    for field in model._meta.concrete_fields
    if field.choices and not callable(field.choices)
]


def test_the_list_pages_models_use_it() -> None:
    labels = {model._meta.label for model in MODELS}
    assert {"scenarios.Scenario", "releases.Release", "incidents.Incident"} <= labels


@pytest.mark.parametrize(
    ("model", "field"), FIELDS, ids=[f"{m._meta.label}.{f.name}" for m, f in FIELDS]
)
def test_labels_match_djangos(model: Any, field: Any) -> None:
    values = [value for value, _label in field.flatchoices] + ["not-a-choice", None]
    for value in values:
        instance = model(**{field.attname: value})
        mine = getattr(instance, f"get_{field.name}_display")()
        assert mine == models.Model._get_FIELD_display(instance, field)  # type: ignore[attr-defined]
