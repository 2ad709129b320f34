"""Choice labels read once per process, replacing Django's `Model._get_FIELD_display`, which
rebuilds a field's label dict on every call: list pages call `get_FOO_display()` for every row
and column. Measured with `bench/inprocess.py` on the scenario list (README, "Signed-in requests
and hand-written machinery"); `tests/core/test_choice_labels.py` holds it equal to Django's."""

from __future__ import annotations

import functools
from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


class ChoiceLabels:
    """`get_FOO_display()` reading each field's labels once per process: Django rebuilds the
    label dict on every call, and list pages call it for every row and column. Only for fields
    whose choices are fixed in code (no callable choices)."""

    def _get_FIELD_display(self, field: models.Field[Any, Any]) -> Any:
        value = getattr(self, field.attname)
        return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)


@functools.cache
def _labels(field: models.Field[Any, Any]) -> dict[Any, Any]:
    return dict(make_hashable(field.flatchoices))
